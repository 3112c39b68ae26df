"""`microcred verify` and the verify page on Open Badges 2.0 files: the legacy format in the report.

The test settings fetch nothing from other sites (MICROCRED_REMOTE_FETCH is off), as a
verifier offline would: a hosted or signed OB 2.0 badge is then *cannot check*, and what the
presented assertion says about itself (its name, its dates) is still shown. Exit codes are
being redefined (issue 10, verdicts): these tests read the report's fields, not the code.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from tests.vc.ob2_world import (
    DATA,
    badge_class,
    hosted_assertion,
    issuer_profile,
    png_with_text_chunk,
    rsa_key,
    sign,
    signed_assertion,
)
from tests.verification.builders import png_image

pytestmark = pytest.mark.django_db


def verify_json(path: Path) -> dict[str, Any]:
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit):
        call_command("verify", str(path), "--json", stdout=out, stderr=err)
    body: dict[str, Any] = json.loads(out.getvalue())
    return body


def verify_text(path: Path) -> str:
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit):
        call_command("verify", str(path), stdout=out, stderr=err)
    return out.getvalue()


def step(body: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(item for item in body["steps"] if item["name"] == name)
    return found


def test_hosted_assertion_offline_is_cannot_check_in_the_legacy_format(tmp_path: Path) -> None:
    path = tmp_path / "assertion.json"
    embedded = dict(badge_class(), issuer=issuer_profile())
    path.write_text(json.dumps(hosted_assertion(badge=embedded)))
    body = verify_json(path)
    assert (body["outcome"], body["valid"]) == ("unsupported", False)
    assert (body["format"], body["vc_version"]) == ("ob2-hosted", None)
    assert step(body, "proof")["status"] == "unsupported"
    assert "Open Badges 2.0" in step(body, "read")["reason"]
    assert body["achievement"]["name"] == "Robot Wrangler"
    assert body["issuer"]["name"] == "Example Robotics Guild"
    assert "Open Badges 2.0" in verify_text(path)


def test_validator_core_fixture_through_the_cli(tmp_path: Path) -> None:
    body = verify_json(DATA / "validator-core" / "2_0_basic_assertion.json")
    assert body["format"] == "ob2-hosted" and body["outcome"] == "unsupported"
    assert body["credential_id"] == "https://example.org/beths-robotics-badge.json"


def test_signed_badge_baked_in_a_png_offline(tmp_path: Path) -> None:
    path = tmp_path / "badge.png"
    token = sign(signed_assertion(), rsa_key())
    path.write_bytes(png_with_text_chunk(png_image(), b"iTXt", b"openbadges", token.encode()))
    body = verify_json(path)
    assert (body["format"], body["outcome"]) == ("ob2-signed", "unsupported")
    assert "baked into a PNG image" in step(body, "read")["reason"]


def test_expired_assertion_is_reported_expired_even_offline(tmp_path: Path) -> None:
    body = verify_json(DATA / "spec" / "hosted-example-assertion.json")
    assert body["format"] == "ob2-hosted"
    assert body["outcome"] == "expired" and step(body, "validity")["code"] == "expired"


def test_the_verify_page_shows_an_ob2_assertion(client) -> None:
    embedded = dict(badge_class(), issuer=issuer_profile())
    response = client.post("/verify/", {"credential": json.dumps(hosted_assertion(badge=embedded))})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Open Badges 2.0" in html and "Robot Wrangler" in html and "OB2-HOSTED" in html
