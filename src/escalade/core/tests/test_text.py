"""Phones as people read them on the phone and on paper."""

from escalade.core.text import display_phone


def test_phones_read_as_quebec_and_ontario_write_them():
    assert display_phone("+15149341934") == "514 934-1934"
    assert display_phone("+18662501554") == "1 866 250-1554"  # seed 002's desk
    assert display_phone("+33559927000").startswith("+33 5")
    assert display_phone("") == ""
    assert display_phone("not a phone") == "not a phone"
