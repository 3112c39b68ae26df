"""The verify page, POST /api/v1/verify and `microcred verify`, end to end."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from microcred.credentials import vc
from microcred.credentials.models import Credential
from tests.verification.builders import LEARNER_EMAIL, SVG_IMAGE, badge, did_key_issuer, png_image, sign, sign_jwt

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def signed() -> dict:
    issuer = did_key_issuer()
    return sign(badge(issuer), issuer)


# --- page ----------------------------------------------------------------------------------


def test_page_renders_the_form(client):
    response = client.get("/verify/")
    assert response.status_code == 200
    assert b'name="credential"' in response.content and b'name="url"' in response.content


def test_page_paste_shows_a_valid_verdict_and_checklist(client, signed):
    response = client.post("/verify/", {"credential": json.dumps(signed), "email": LEARNER_EMAIL})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-outcome="valid"' in html and "Valid credential" in html
    assert 'data-step="proof" data-status="passed"' in html
    assert 'data-step="recipient" data-status="passed"' in html
    assert "Data Literacy Fundamentals" in html and "Key Academy" in html


def test_page_paste_of_a_tampered_credential_explains_why(client, signed):
    signed["name"] = "Forged"
    html = client.post("/verify/", {"credential": json.dumps(signed)}).content.decode()
    assert 'data-outcome="invalid"' in html
    assert 'data-step="proof" data-status="failed"' in html
    assert "Signature does not match the document." in html and "invalid_proof" in html


def test_page_upload_of_a_baked_png(client, signed):
    upload = SimpleUploadedFile("badge.png", vc.bake_png(png_image(), signed), content_type="image/png")
    html = client.post("/verify/", {"file": upload}).content.decode()
    assert 'data-outcome="valid"' in html and "PNG" in html


def test_page_upload_over_2_mb_gets_a_clear_message(client):
    upload = SimpleUploadedFile("huge.png", b"\x89PNG" + b"0" * (2 * 1024 * 1024 + 1), content_type="image/png")
    response = client.post("/verify/", {"file": upload})
    assert response.status_code == 400
    assert "the limit is 2.0" in response.content.decode()
    assert "data-outcome" not in response.content.decode()


def test_page_without_input_asks_for_one(client):
    response = client.post("/verify/", {"credential": ""})
    assert response.status_code == 400
    assert "Paste a credential, upload a file, or give a URL." in response.content.decode()


def test_page_url_of_our_credential_auto_verifies_on_get(client, issued: Credential):
    url = f"https://academy.example/credentials/{issued.uuid}"
    response = client.get("/verify/", {"url": url})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-outcome="valid"' in html and "Example Academy" in html
    assert f'value="{url}"' in html


def test_page_post_url_refused_by_ssrf_guard(client, settings):
    settings.MICROCRED_REMOTE_FETCH = True
    html = client.post("/verify/", {"url": "https://10.0.0.1/badge.json"}).content.decode()
    assert 'data-outcome="malformed"' in html
    assert "private address" in html


# --- API -----------------------------------------------------------------------------------


def test_api_json_object_needs_no_auth_or_csrf(signed):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post("/api/v1/verify", {"credential": signed}, content_type="application/json")
    assert response.status_code == 200
    body = response.json()
    assert body["valid"] is True and body["outcome"] == "valid"
    assert [step["name"] for step in body["steps"]][:5] == ["read", "structure", "schema", "subject", "proof"]
    assert body["achievement"]["name"] == "Data Literacy Fundamentals"


def test_api_jwt_string_and_recipient(client):
    issuer = did_key_issuer()
    token = sign_jwt(badge(issuer), issuer.key, issuer.vm)
    body = client.post(
        "/api/v1/verify", {"credential": token, "recipient_email": "eve@example.org"}, content_type="application/json"
    ).json()
    assert body["outcome"] == "invalid" and body["format"] == "jwt"
    recipient = next(step for step in body["steps"] if step["name"] == "recipient")
    assert recipient["status"] == "failed" and recipient["code"] == "recipient_mismatch"


def test_api_file_upload_of_a_baked_svg(client, signed):
    upload = SimpleUploadedFile("badge.svg", vc.bake_svg(SVG_IMAGE, signed).encode(), content_type="image/svg+xml")
    body = client.post("/api/v1/verify", {"file": upload}).json()
    assert body["valid"] is True and body["format"] == "svg"


def test_api_url_of_our_credential(client, issued: Credential):
    body = client.post(
        "/api/v1/verify", {"url": f"https://academy.example/credentials/{issued.uuid}"}, content_type="application/json"
    ).json()
    assert body["valid"] is True, body


@pytest.mark.parametrize(
    ("payload", "content_type", "status", "code"),
    [
        ("not json", "application/json", 422, "validation_failed"),
        ("[1]", "application/json", 422, "validation_failed"),
        ("{}", "application/json", 422, "validation_failed"),
        ('{"credential": 5}', "application/json", 422, "validation_failed"),
        ('{"url": "ftp://x.example/a"}', "application/json", 422, "validation_failed"),
    ],
)
def test_api_bad_requests_are_problems(client, payload, content_type, status, code):
    response = client.post("/api/v1/verify", payload, content_type=content_type)
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == code


def test_api_multipart_without_file_and_oversized_file(client):
    response = client.post("/api/v1/verify", {"recipient_email": "a@b.example"})
    assert response.status_code == 422 and response.json()["errors"][0]["loc"] == ["body", "file"]
    big = SimpleUploadedFile("big.json", b"{" + b" " * (2 * 1024 * 1024) + b"}")
    response = client.post("/api/v1/verify", {"file": big})
    assert response.status_code == 413 and response.json()["code"] == "payload_too_large"


def test_api_garbage_credential_is_a_malformed_report(client):
    body = client.post("/api/v1/verify", {"credential": "garbage"}, content_type="application/json").json()
    assert body["valid"] is False and body["outcome"] == "malformed"


# --- CLI -----------------------------------------------------------------------------------


def run_verify(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("verify", *args, stdout=out, stderr=err)
    return int(exit_info.value.code), out.getvalue(), err.getvalue()


def test_cli_valid_file_exits_0_with_a_checklist(tmp_path, signed):
    path = tmp_path / "badge.json"
    path.write_text(json.dumps(signed))
    code, out, _ = run_verify(str(path), "--email", LEARNER_EMAIL)
    assert code == 0
    assert "Valid credential" in out and "✓ Signature" in out and "✓ Recipient" in out


def test_cli_invalid_exits_1_and_json_output(tmp_path, signed):
    signed["name"] = "Forged"
    path = tmp_path / "forged.json"
    path.write_text(json.dumps(signed))
    code, out, _ = run_verify(str(path), "--json")
    assert code == 1
    body = json.loads(out)
    assert body["outcome"] == "invalid"
    assert next(s for s in body["steps"] if s["name"] == "proof")["code"] == "invalid_proof"
    code, out, _ = run_verify(str(path))
    assert code == 1 and "✗ Signature" in out


def test_cli_unreadable_input_exits_2(tmp_path):
    code, _, err = run_verify(str(tmp_path / "missing.json"))
    assert code == 2 and "cannot read" in err
    garbage = tmp_path / "garbage.bin"
    garbage.write_bytes(b"\x00\x01\x02")
    code, out, _ = run_verify(str(garbage), "--json")
    assert code == 2 and json.loads(out)["outcome"] == "malformed"


def test_cli_baked_png(tmp_path, signed):
    path = tmp_path / "badge.png"
    path.write_bytes(vc.bake_png(png_image(), signed))
    assert run_verify(str(path))[0] == 0


def test_cli_exit_codes_through_the_real_entry_point(tmp_path, signed):
    database = tmp_path / "cli.sqlite3"
    env = {
        **os.environ,
        "MICROCRED_ENV": "test",
        "DATABASE_URL": f"sqlite:///{database}",
        "MICROCRED_VAR_DIR": str(tmp_path / "var"),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    subprocess.run([sys.executable, "-m", "microcred", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    good = tmp_path / "good.json"
    good.write_text(json.dumps(signed))
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**signed, "name": "Forged"}))

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "microcred", "verify", *args], cwd=ROOT, env=env, capture_output=True, text=True
        )

    assert run(str(good)).returncode == 0
    assert run(str(bad), "--json").returncode == 1
    assert run(str(tmp_path / "nope.json")).returncode == 2
    refused = run("https://10.0.0.1/badge.json", "--json")
    assert refused.returncode == 2 and json.loads(refused.stdout)["outcome"] == "malformed"
