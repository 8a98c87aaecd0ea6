"""Typed facts on the real parser (spaCy en_core_web_sm): the changed facts an editor must catch,
and every difference that the article itself explains, which must pass."""

from __future__ import annotations

import pytest

from coherence import facts, nlp

FLAG = [
    # (earlier sentence, later sentence, kind, the later sentence's phrase in the message)
    ("A fire at a warehouse in Leeds killed 12 people on Monday night, the fire service said.",
     "The fire killed 40 people, according to the fire service.", "number", "killed 40 people"),
    ("Cotterill, of Oldbury, was jailed for 12 weeks and had previously been found guilty of harassment.",
     "Cotterill, of Oldbury, was jailed for 48 weeks and had previously been found guilty of harassment.",
     "number", "48 weeks"),
    ("Mr Goodwin was knighted for services to banking in 2004 but was stripped of his title in 2012.",
     "Mr Goodwin was even knighted for services to banking in 2007.", "date", "2007"),
    ("The video captures the group brawling with police in Cottonwood, Arizona, on March 21.",
     "The video captures the band brawling with police in Cottonwood, Arizona, on April 21.", "date", "April 21"),
    ("It contains pores that measure just 4 to 40 nanometers across.",
     "It contains pores that measure just 4 to 20 nanometers across.", "number", "20 nanometers"),
    ("One ladder collapsed, so only twenty-eight made it over the wire, of which three made it home.",
     "One ladder collapsed, so only 56 made it over the barbed wire, of which three made it home.", "number", "56"),
    # the same name right beside the value, in passages about the same thing
    ("The plane that hit the Pentagon was American Airlines Flight 77, officials said.",
     "The video shows American Airlines Flight 154 hitting the Pentagon.", "number", "154"),
    # a run-on caption: the value's own clause says what it describes
    ("The blaze destroyed 40 homes in the village of Ashby on Sunday, officials said.",
     "Devastation: Firefighters battle the flames in Ashby Gutted: The blaze destroyed 14 homes in the village on Sunday "
     "Residents spent the night in a school hall", "number", "14 homes"),
    # an amount the parser splits into a currency sign and a noun ("£" + "330million") is still money
    ("Greece is due to repay a £330million loan to the International Monetary Fund on Thursday.",
     "Greece is due to repay a £165million loan to the International Monetary Fund on Thursday.", "number",
     "£165million"),
    # the same words beside the value, whichever lemma the parser gives them ("diabetes" / "diabete")
    ("Physical activity has been linked to better memory and a lower risk of type 2 diabetes.",
     "Exercise is linked to better memory and thinking, and a lower risk of type 10 diabetes The twins who "
     "exercised more did a better job", "number", "10"),
    # a month with its year is a date to compare (a month alone is not)
    ("The reality star died in March 2009 after a public battle with cancer.",
     "The reality star died in May 2009 after a public battle with cancer.", "date", "May 2009"),
]

PASS = [
    # another event or time
    ("The fire killed 12 people last year.", "The fire killed 40 people this year."),
    # a running total
    ("The storm killed 12 people on Monday.", "The storm killed another 18 people on Tuesday."),
    # a range or an estimate that admits the other value
    ("The fire killed at least 12 people, the fire service said.", "The fire killed 40 people, the fire service said."),
    ("The fire killed up to 40 people, officials said.", "The fire killed 12 people, officials said."),
    ("The fire killed about 40 people, officials said.", "The fire killed 38 people, officials said."),
    # a correction or update the article states
    ("The fire killed 12 people on Monday.", "The death toll from the fire rose to 40 people."),
    # the same quantity in other units
    ("The new road is 2km (1.2 miles) long.", "The new road is 2 km long and opens in May."),
    # the same number told again
    ("The fire killed 12 people on Monday.", "Twelve people were killed by the fire, police said."),
    # two people's facts
    ("Enoch Gaver, 21, was killed and suspect David Gaver, 28, was shot.",
     "Two of the suspects are jailed: Jeremiah Gaver, 28, and Nathaniel Gaver, 27."),
    # two different things counted in one story
    ("The council will build 300 homes next to the station.", "The station will get 12 new platforms."),
    # two estimates that admit each other
    ("The deal saves around 900 jobs.", "The deal saves about 950 jobs, the union said."),
    # another day, another event
    ("Two cars exploded at a checkpoint in Baghdad on Monday, killing 16 people.",
     "Another car exploded at a checkpoint in Baghdad on Thursday, killing 13 people."),
    # the same name beside two values, in passages about two things
    ("The plane that hit the Pentagon was American Airlines Flight 77, investigators said.",
     "The video shows American Airlines Flight 11 hitting the north tower."),
    # the later value is stated in the earlier sentence too: two facts there, one of them told again
    ("The wedding was set for Friday April 8, so MPs would stop sitting on Thursday April 7.",
     "MPs will now stop sitting on Friday April 8."),
    # a month alone anchors no date
    ("Final August unemployment data was released yesterday.", "Data for September will be released in October."),
    # the same amount in other currencies, in brackets
    ("Relatives seek 80 million baht (US$2 million, 1.6 million euro) in compensation from the army.",
     "The lawsuits against the agencies seek more than 18 million baht (US$440,000 or 370,000 euros) in compensation."),
    # a total and a part of it
    ("The Government will receive a total of $8.4 million in dividends from the company.",
     "A $3 million dividend from the company had already been received by the Government."),
    # a run-on caption that joins two sentences: each value is dated by its own time (1990), not by
    # every time of the run-on (2060)
    ("By 2060, immigrants could account for 82 per cent of all population growth in the country.",
     "The immigrant share will reach 17.1 per cent by 2040 and 18.8 per cent by 2060 In 1990, immigrants "
     "accounted for just 7.9 per cent of U.S. population"),
    # a bound: "exceeding 6 percent" admits 6.3
    ("The current account deficit is exceeding 6 percent of gross domestic product.",
     "The current account deficit totaled 6.3 percent of gross domestic product."),
]


def _facts(*sentences):
    return [facts.extract(doc) for doc in nlp.parse(list(sentences))]


@pytest.mark.parametrize(("earlier", "later", "kind", "phrase"), FLAG, ids=[f[3] for f in FLAG])
def test_changed_fact_is_a_conflict(earlier, later, kind, phrase):
    first, second = _facts(earlier, later)
    conflict = facts.compare(first, second)
    assert conflict is not None, f"missed: {earlier!r} / {later!r}"
    assert conflict.kind == kind
    assert phrase in conflict.second.phrase
    assert not conflict.sources_differ


@pytest.mark.parametrize(("earlier", "later"), PASS, ids=[p[1][:40] for p in PASS])
def test_explained_difference_is_no_conflict(earlier, later):
    first, second = _facts(earlier, later)
    assert facts.compare(first, second) is None


def test_two_named_sources_who_disagree_are_reported_as_such():
    first, second = _facts("Police said the fire killed 12 people.", "The union said the fire killed 40 people.")
    conflict = facts.compare(first, second)
    assert conflict is not None and conflict.sources_differ
    assert {conflict.first.speaker, conflict.second.speaker} == {"police", "union"}


def test_headline_number_against_the_body():
    (head,), (agree,), (disagree,) = [
        facts.extract(d) for d in nlp.parse(["Warehouse Fire Kills Twelve In Leeds",
                                             "A fire at a warehouse in Leeds killed 12 people on Monday.",
                                             "The fire killed 40 people, according to the fire service."])]
    assert facts.compare([head], [agree], headline=True) is None
    conflict = facts.compare([head], [disagree], headline=True)
    assert conflict is not None and conflict.first.value == 12 and conflict.second.value == 40


@pytest.mark.parametrize(("text", "value"), [
    ("12", 12.0), ("1,200", 1200.0), ("twelve", 12.0), ("£330million", 330e6), ("3.5bn", 3.5e9), ("40%", 40.0),
    ("people", None), ("", None),
])
def test_number_value(text, value):
    assert facts.number_value(text) == value


def test_a_period_is_not_one_date_and_a_name_is_not_a_month():
    (period,), (name,) = _facts("Growth between 2010 and 2050 will be slow."), _facts("Stephanie March filed for divorce.")
    assert [f for f in period if f.kind == "date"] == []
    assert [f for f in name if f.kind == "date"] == []


def test_numbers_in_a_list_are_items_not_facts():
    (listed,) = _facts("The winning balls were 8, 18, 22, 40 and 44, and 12 people won.")
    assert [f.text for f in listed if f.kind == "number"] == ["12"]
