"""private_key_jwt: the signed assertion that replaces a client secret at the token
endpoint (the end-to-end proof against a real provider is e2e/test_accounts_oidc.py)."""

from __future__ import annotations

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from madoguchi.accounts.client_assertion import ASSERTION_TYPE, ClientAssertionSession, ClientKey
from madoguchi.accounts.oidc_config import ProviderConfigError, parse_providers, socialaccount_apps


def pem_of(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


PROVIDER = {
    "id": "digital-auth",
    "name": "デジタル認証アプリ",
    "server_url": "https://auth.example",
    "client_id": "madoguchi",
    "token_auth_method": "private_key_jwt",
}


def test_the_assertion_is_signed_for_the_token_endpoint(rsa_key: rsa.RSAPrivateKey) -> None:
    token = ClientKey(pem_of(rsa_key), key_id="k1").assertion("madoguchi", audience="https://auth.example/token")
    assert jwt.get_unverified_header(token) == {"alg": "RS256", "kid": "k1", "typ": "JWT"}
    claims = jwt.decode(token, rsa_key.public_key(), algorithms=["RS256"], audience="https://auth.example/token")
    assert claims["iss"] == claims["sub"] == "madoguchi"
    assert claims["exp"] - claims["iat"] == 60
    other = ClientKey(pem_of(rsa_key)).assertion("madoguchi", audience="https://auth.example/token")
    assert (
        jwt.decode(other, rsa_key.public_key(), algorithms=["RS256"], audience="https://auth.example/token")["jti"]
        != claims["jti"]
    )


def test_ec_keys_sign_with_es256() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    token = ClientKey(pem_of(key)).assertion("c", audience="https://a.example/token")
    assert jwt.decode(token, key.public_key(), algorithms=["ES256"], audience="https://a.example/token")["iss"] == "c"


def test_the_session_replaces_the_secret_only_for_listed_clients(rsa_key: rsa.RSAPrivateKey, monkeypatch) -> None:
    sent: list[dict[str, object]] = []

    def fake_send(self, method, url, **kwargs):  # records what would go on the wire
        sent.append({"url": url, **kwargs})
        return "response"

    monkeypatch.setattr("requests.Session.request", fake_send)
    session = ClientAssertionSession({"madoguchi": ClientKey(pem_of(rsa_key))}, timeout=5)
    session.request(
        "POST",
        "https://auth.example/token",
        data={"grant_type": "authorization_code", "client_id": "madoguchi", "code": "x"},
    )
    session.request(
        "POST",
        "https://other.example/token",
        data={"grant_type": "authorization_code", "client_id": "other", "client_secret": "s"},
    )
    session.request("GET", "https://auth.example/userinfo")
    mine, theirs, userinfo = sent
    assert mine["data"]["client_assertion_type"] == ASSERTION_TYPE
    assert "client_secret" not in mine["data"]
    assert jwt.decode(
        mine["data"]["client_assertion"],
        rsa_key.public_key(),
        algorithms=["RS256"],
        audience="https://auth.example/token",
    )
    assert theirs["data"] == {"grant_type": "authorization_code", "client_id": "other", "client_secret": "s"}
    assert userinfo["timeout"] == 5


def test_config_needs_a_usable_key(rsa_key: rsa.RSAPrivateKey, tmp_path) -> None:
    with pytest.raises(ProviderConfigError, match="needs private_key or private_key_file"):
        parse_providers([PROVIDER])
    with pytest.raises(ProviderConfigError, match="not an unencrypted PEM private key"):
        parse_providers([{**PROVIDER, "private_key": "-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----"}])
    with pytest.raises(ProviderConfigError, match="cannot be read"):
        parse_providers([{**PROVIDER, "private_key_file": str(tmp_path / "missing.pem")}])
    key_file = tmp_path / "client.pem"
    key_file.write_text(pem_of(rsa_key))
    (app,) = socialaccount_apps(parse_providers([{**PROVIDER, "private_key_file": str(key_file), "key_id": "k1"}]))
    # allauth sends the client id in the body; the session adds the assertion.
    assert app["settings"]["token_auth_method"] == "client_secret_post"
    assert app["settings"]["client_assertion_key"] == {"pem": pem_of(rsa_key), "key_id": "k1"}
    assert app["secret"] == ""
