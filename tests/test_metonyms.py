"""Capitals standing for their state add the state's name to a question's BM25 terms."""

from assistant.metonyms import states_named


def test_a_capital_or_seat_of_power_names_its_state():
    assert states_named("What does Tehran get out of its ties with the Kremlin?") == ["Iran", "Russia"]
    assert states_named("Why did Washington and New Delhi disagree?") == ["United States", "India"]


def test_a_state_the_text_already_names_is_not_added_twice():
    assert states_named("Moscow's view of Russia's role") == []
    assert states_named("How did Moscow see the USSR's collapse?") == ["Russia", "Soviet Union"]


def test_only_whole_names_count():
    assert states_named("Muscovites and Parisians") == []
    assert states_named("the romeo clause") == []
    assert states_named("Tehran-backed and pro-Moscow militias") == ["Iran", "Russia"]
    assert states_named("") == []


def test_each_name_is_kept_with_the_state_it_stands_for():
    from assistant.metonyms import standing_for

    assert standing_for("Did the Kremlin or Moscow's allies back Tehran?") == [("Kremlin", "Russia"), ("Tehran", "Iran")]
    assert standing_for("Moscow and Russia") == []
