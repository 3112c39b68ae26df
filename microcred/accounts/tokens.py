"""Single-use links for confirming a sign-up's e-mail address."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.tokens import PasswordResetTokenGenerator


class SignupConfirmationTokenGenerator(PasswordResetTokenGenerator):
    """Like a password-reset token, but for confirming a new account: it stops working once the
    account is confirmed or the sign-up is repeated (which sets a new password), and after
    ``PASSWORD_RESET_TIMEOUT``."""

    key_salt = "microcred.accounts.tokens.SignupConfirmationTokenGenerator"

    def _make_hash_value(self, user: Any, timestamp: int) -> str:
        return f"{user.pk}{user.password}{user.is_active}{user.awaiting_confirmation}{user.email}{timestamp}"


signup_confirmation_tokens = SignupConfirmationTokenGenerator()
