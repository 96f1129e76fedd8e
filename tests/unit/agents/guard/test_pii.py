import pytest

from agents.guard.pii import find_pii, luhn_ok, mask_pii, my_number_ok


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mail taro.yamada+manga@example.co.jp now", "mail [email] now"),
        ("メールはtaro@example.jpです", "メールは[email]です"),
        ("ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐに送って", "[email]に送って"),
        ("write to mika dot tanaka at example dot com", "write to [email]"),
        ("kenta アットマーク example.com です", "[email] です"),
        ("call 090-1234-5678 or 03-1234-5678", "call [phone] or [phone]"),
        ("電話は090-1234-5678です", "電話は[phone]です"),
        ("０９０－１２３４－５６７８", "[phone]"),
        ("090ー1234ー5678に連絡", "[phone]に連絡"),
        ("(03)1234-5678 と 03(1234)5678", "[phone] と [phone]"),
        ("フリーダイヤル0120-123-456", "フリーダイヤル[phone]"),
        ("+81 90 1234 5678", "[phone]"),
        ("+1 (415) 555-2671 ok", "[phone] ok"),
        ("my cell is (212) 555-0187", "my cell is [phone]"),
        ("card 4111 1111 1111 1111", "card [card]"),
        ("カード番号５５００００００００００００04です", "カード番号[card]です"),
        ("amex 3782 822463 10005", "amex [card]"),
        ("+81 90 1234 5678 4111 1111 1111 1111", "[phone] [card]"),
        ("マイナンバーは1234 5678 9018です", "マイナンバーは[mynumber]です"),
        ("my number: 1234-5678-9018", "my number: [mynumber]"),
        ("個人番号 123456789012", "個人番号 [mynumber]"),  # named as one: masked even if mistyped
        ("〒160-0023 東京都新宿区西新宿1-2-3 メゾン新宿101号室に送って", "[address]に送って"),
        ("郵便番号は060-0001です", "郵便番号は[address]です"),
        ("東京都渋谷区神南一丁目2番3号に届けて", "[address]に届けて"),
        ("横浜市西区みなとみらい2-3-1まで", "[address]まで"),
        (
            "Ship to 1-2-3 Nishi-Shinjuku, Shinjuku-ku, Tokyo 160-0023. Thanks",
            "Ship to [address]. Thanks",
        ),
        ("123-4567 Tokyo, Shinjuku-ku, Nishi-Shinjuku 1-2-3, Apt 101 please", "[address] please"),
        ("my password is hunter2", "my password is [secret]"),
        ("the password for my account is Sakura#1!", "the password for my account is [secret]!"),
        ("パスワードはabc123です", "パスワードは[secret]です"),
        ("暗証番号は4321です", "暗証番号は[secret]です"),
        ("PIN 1234", "PIN [secret]"),
        ("key sk-abcdefghijklmnop1234567890", "key [secret]"),
        ("AKIAIOSFODNN7EXAMPLE", "[secret]"),
        ("t\u200baro@example.com", "[email]"),
    ],
)
def test_personal_data_is_masked(text: str, expected: str) -> None:
    masked, findings = mask_pii(text)
    assert masked == expected
    assert findings
    assert {(f.category, f.action) for f in findings} == {("pii", "mask")}


@pytest.mark.parametrize(
    "text",
    [
        "order 250-1234567-7654321 and D01-1234567-1234567",
        "ISBN 9784088725093 and 978-4-08-872509-3",
        "4111 1111 1111 1112",  # fails Luhn
        "9111111111111111111",  # no card network starts with 9
        "Shipping is 350 yen, free from 2,000 yen; 10:00 to 18:00 on 2026-01-02.",
        "送料は全国一律350円で、2,000円以上は無料です。",
        "vol. 3 of B0ABCDEFGH, 全12巻, 2026年3月14日発売",
        "配送伝票番号は244859594251です",  # a tracking number that passes the My Number check
        "The tracking number is 244859594251.",
        "1234 5678 9012",  # twelve digits with a wrong check digit
        "I forgot my password",
        "password reset please",
        "My password is not working",
        "パスワードを忘れました",
        "Can I set a PIN to lock purchases?",
        "東京都内で2-3日で届きますか",
        "@mangaassist on social media",
        "meet at the station",
        "",
        "👍",
    ],
)
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert mask_pii(text) == (text, ())


def test_spans_point_into_the_original_text() -> None:
    text = "電話：０９０－１２３４－５６７８、メール：ａ＠ｂ．ｊｐ"
    spans = find_pii(text)
    assert [(text[s.start : s.end], s.kind) for s in spans] == [
        ("０９０－１２３４－５６７８", "phone"),
        ("ａ＠ｂ．ｊｐ", "email"),
    ]


def test_only_the_chosen_kinds_are_masked() -> None:
    assert mask_pii("a@b.jp 090-1234-5678", ("phone",))[0] == "a@b.jp [phone]"


def test_findings_count_kinds_without_quoting_the_data() -> None:
    _, findings = mask_pii("a@b.jp c@d.jp 090-1234-5678")
    details = [f.detail for f in findings]
    assert details == ["email: 2 masked", "phone: 1 masked"]
    assert not any("@" in d or "090" in d for d in details)


@pytest.mark.parametrize(
    ("digits", "valid"),
    [
        ("123456789018", True),
        ("987654321093", True),
        ("555555555557", True),
        ("123456789012", False),
    ],
)
def test_my_number_check_digit(digits: str, valid: bool) -> None:
    assert my_number_ok(digits) is valid


def test_my_number_needs_twelve_digits() -> None:
    assert not my_number_ok("12345678901")
    assert not my_number_ok("12345678901x")


def test_luhn() -> None:
    assert luhn_ok("4111111111111111")
    assert not luhn_ok("4111111111111112")


def test_wording_of_the_store_pages_is_not_a_secret() -> None:
    text = "If you forgot your password, reset it from Forgot password on the sign-in page."
    assert mask_pii(text) == (text, ())
