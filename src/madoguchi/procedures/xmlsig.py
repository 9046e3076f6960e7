"""The XML of a submission that an applicant signs (公的個人認証), and XMLDSig over it.

What is signed: `canonical_xml(submission)`, a small document in the namespace
`urn:madoguchi:procedures:submission:1` (the trailing number is the layout's version; a
change of layout gets a new namespace, and old signatures keep verifying against the
layout they were made with only as long as this module can still produce it)::

    <Submission xmlns="urn:madoguchi:procedures:submission:1">
      <Municipality code="082163"/>                       <!-- 全国地方公共団体コード -->
      <Procedure slug="juminhyo" formVersion="3"/>        <!-- the form version used -->
      <PublicId>0b7c…</PublicId>                         <!-- the submission -->
      <Answers>                                           <!-- visible inputs, form order -->
        <Answer key="name" type="name" label="氏名">笠間 花子</Answer>
        <Answer key="copies" type="integer" label="通数">2</Answer>
        <Answer key="agree" type="boolean" label="…">true</Answer>
        <Answer key="purpose" type="multichoice" label="…"><Value>a</Value><Value>b</Value></Answer>
        <Answer key="id_document" type="file" label="…">
          <File name="license.pdf" size="12345" sha256="…"/></Answer>
      </Answers>
      <Attachments>                                       <!-- current files, by field -->
        <Attachment field="id_document" name="license.pdf" size="12345" sha256="…"/>
      </Attachments>
    </Submission>

The bytes are the exclusive canonical form (Exclusive XML Canonicalization 1.0) of that
tree, UTF-8, without an XML declaration, so the same submission always gives the same
bytes, and `data_digest()` (their SHA-256) changes with any answer or file.

The signature is enveloped XMLDSig with RSA-SHA256, SHA-256 digests and exclusive C14N,
and the signer's certificate in KeyInfo/X509Data: the profile of e-Gov and JPKI clients.
`sign()` is for the demo signing app, the `sign_submission` command and tests; the
server never holds a resident's real key. Checking a signature (chain, dates, CRL) is
`services.signatures`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from lxml import etree
from signxml import methods
from signxml.algorithms import CanonicalizationMethod, DigestAlgorithm, SignatureMethod
from signxml.signer import XMLSigner

from . import formdef
from .models import Attachment, Submission

NAMESPACE = "urn:madoguchi:procedures:submission:1"
DSIG_NAMESPACE = "http://www.w3.org/2000/09/xmldsig#"
EXC_C14N = CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0


def _q(tag: str) -> str:
    return f"{{{NAMESPACE}}}{tag}"


def safe_parser() -> etree.XMLParser:
    """An lxml parser that never reads anything but the bytes it is given: no DTD, no
    entities, no network, no huge trees."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=False,
        remove_pis=False,
    )


def c14n(element: etree._Element) -> bytes:
    """The exclusive canonical form of an element (no comments)."""
    return etree.tostring(element, method="c14n", exclusive=True, with_comments=False)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return value
    # Not a type the form format stores; still deterministic.
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _answer(parent: etree._Element, f: formdef.Field, value: Any) -> None:
    el = etree.SubElement(parent, _q("Answer"), key=f.key, type=f.type, label=formdef.localized(f.label, "ja"))
    if value is None or value == "":
        return
    if f.type == "multichoice":
        for item in value if isinstance(value, list) else [value]:
            etree.SubElement(el, _q("Value")).text = _text(item)
    elif f.type == "file":
        for item in value if isinstance(value, list) else []:
            item = item if isinstance(item, Mapping) else {}
            etree.SubElement(
                el,
                _q("File"),
                name=str(item.get("name", "")),
                size=str(item.get("size", "")),
                sha256=str(item.get("sha256", "")),
            )
    else:
        el.text = _text(value)


def canonical_tree(submission: Submission) -> etree._Element:
    """The tree of `canonical_xml()` (see the module docstring)."""
    definition = formdef.parse(submission.form_version.definition)
    data = submission.data or {}
    root = etree.Element(_q("Submission"), nsmap={None: NAMESPACE})
    etree.SubElement(root, _q("Municipality"), code=submission.municipality.code)
    etree.SubElement(
        root,
        _q("Procedure"),
        slug=submission.procedure.slug,
        formVersion=str(submission.form_version.number),
    )
    etree.SubElement(root, _q("PublicId")).text = str(submission.public_id)
    answers = etree.SubElement(root, _q("Answers"))
    for f in definition.visible_fields(data):
        if f.takes_input:
            _answer(answers, f, data.get(f.key))
    files = etree.SubElement(root, _q("Attachments"))
    current = Attachment.objects.filter(submission=submission, superseded_at__isnull=True).order_by(
        "field_key", "created_at", "pk"
    )
    for attachment in current:
        etree.SubElement(
            files,
            _q("Attachment"),
            field=attachment.field_key,
            name=attachment.original_name,
            size=str(attachment.size),
            sha256=attachment.sha256,
        )
    return root


def canonical_xml(submission: Submission) -> bytes:
    """What the applicant signs: the submission's canonical data as bytes (exclusive
    C14N, UTF-8). Deterministic: the same submission gives the same bytes."""
    return c14n(canonical_tree(submission))


def digest(canonical: bytes) -> str:
    """SHA-256 (hex) of canonical bytes."""
    return hashlib.sha256(canonical).hexdigest()


def data_digest(submission: Submission) -> str:
    """SHA-256 (hex) of the submission's current canonical data."""
    return digest(canonical_xml(submission))


def load_key(pem: bytes) -> PrivateKeyTypes:
    return serialization.load_pem_private_key(pem, password=None)


def sign(xml: bytes, key: PrivateKeyTypes | bytes, cert: x509.Certificate | bytes) -> bytes:
    """Enveloped XMLDSig of `xml` (RSA-SHA256, SHA-256 digest, exclusive C14N) with the
    signer's certificate in X509Data. Returns the signed document (UTF-8, with an XML
    declaration), as a JPKI client would write it."""
    root = etree.fromstring(xml, parser=safe_parser())
    signer = XMLSigner(
        method=methods.enveloped,
        signature_algorithm=SignatureMethod.RSA_SHA256,
        digest_algorithm=DigestAlgorithm.SHA256,
        c14n_algorithm=EXC_C14N,
    )
    if isinstance(key, bytes):
        key = load_key(key)
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise TypeError("an RSA or EC private key is needed to sign")
    cert_pem = cert.public_bytes(serialization.Encoding.PEM) if isinstance(cert, x509.Certificate) else cert
    signed = signer.sign(root, key=key, cert=[cert_pem.decode("ascii")], always_add_key_value=False)
    return bytes(etree.tostring(signed, xml_declaration=True, encoding="UTF-8"))
