"""The credential service endpoint (localQrCodeQuery, transType ec.query) as CONTRACTS.md describes it."""
from __future__ import annotations

import json

from simulator import codes
from simulator.store import Store

# Invented: the vendor's code for a transType this service does not offer.
UNSUPPORTED = ("500101", "不支持的交易类型")


def failure(pair: tuple[str, str]) -> dict:
    """An error answer: code != 0, message, data null."""
    return {"code": int(pair[0]), "message": pair[1], "data": None, "extra": {}}


def query(store: Store, request: object) -> dict:
    """Answer one credential-service request."""
    if not isinstance(request, dict):
        return failure(codes.NOT_EC_CODE)
    if request.get("transType") != "ec.query":
        return failure(UNSUPPORTED)
    data = request.get("data")
    if isinstance(data, str):  # some library versions send data JSON-encoded
        try:
            data = json.loads(data)
        except ValueError:
            data = None
    text = str(data.get("ecQrCode") or "") if isinstance(data, dict) else ""
    with store.tx() as db:
        try:
            fields = codes.decode(db, store.now(), text)
        except codes.CodeError as e:
            result = failure((e.code, e.message))  # committed: a spent code stays spent
        else:
            result = None
    if result is not None:
        return result
    family = fields.pop("familyAccount", None)
    payload: object = fields
    if store.setting("ec_data_as_string", False):
        payload = json.dumps(fields, ensure_ascii=False)
    return {"code": 0, "message": "成功", "data": payload,
            "extra": {"familyAccount": family} if family else {}}


def decode_bare(store: Store, data: object) -> dict:
    """The 1162 decode service posted without the platform envelope (PROTOCOL.md §2b), answered in the
    中台 shapes real deployments use: {code: 0, type, message, data{...}} on success,
    {success: false, code, message} on refusal (500159 documented; our other codes are invented)."""
    text = str(data.get("ecQrCode") or "") if isinstance(data, dict) else ""
    with store.tx() as db:
        try:
            fields = codes.decode(db, store.now(), text)
        except codes.CodeError as e:
            return midplatform_refusal(e.code, e.message)
    return midplatform_success(fields)


def midplatform_success(fields: dict) -> dict:
    """A decode answer as the 中台 sends it: the ec.query fields plus chnlId / ecQrCode / authNo."""
    family = fields.pop("familyAccount", None)
    data = {**fields, "chnlId": "", "authNo": None}
    if family:
        data["familyAccount"] = family
    return {"code": 0, "type": "success", "message": "成功", "data": data}


def midplatform_refusal(code: str, message: str) -> dict:
    return {"success": False, "code": int(code), "message": message}
