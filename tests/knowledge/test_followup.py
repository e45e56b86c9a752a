"""Follow-up questions and the fact asked for (knowledge.followup), on the knowledge base built from
the real content. The assertions are about behaviour (the aspect given, the area kept), not wording."""
from __future__ import annotations

import pytest

from knowledge import followup
from knowledge.store import KnowledgeBase


@pytest.fixture(scope="module")
def vocab(kb: KnowledgeBase) -> followup.Vocabulary:
    return followup.Vocabulary(kb)


@pytest.mark.parametrize("text, aspects", [
    ("how long does that take?", {"time"}),
    ("is there an age limit?", {"age"}),
    ("how many are there", {"count"}),
    ("who runs it?", {"who"}),
    ("do I have to say yes?", {"choice"}),
    ("what's their number", {"contact"}),
    ("is there a particular team for that?", {"who"}),
])
def test_what_a_question_asks_for(text, aspects):
    assert aspects <= followup.asked_aspects(text)


@pytest.mark.parametrize("text", ["how long does that take?", "who runs it?", "and when is the next one?",
                                  "is there an age limit?", "what if I miss the call?", "and in Bolton?"])
def test_a_message_that_only_makes_sense_with_the_one_before(vocab, kb, text):
    assert followup.is_follow_up(text, vocab, ignore=kb.council_names())


@pytest.mark.parametrize("text", ["how long does a child protection enquiry take?", "what is early help",
                                  "can I complain about my social worker?", "what's the MASH number",
                                  "hello", "thanks", "ok"])
def test_a_message_with_its_own_topic_or_no_question_is_not_a_follow_up(vocab, kb, text):
    assert not followup.is_follow_up(text, vocab, ignore=kb.council_names())


def test_a_council_name_is_not_a_topic(vocab, kb):
    assert not followup.names_a_topic("oh sorry I'm in Bolton actually", vocab, ignore=kb.council_names())
    assert followup.names_a_topic("what about early help in Bolton", vocab, ignore=kb.council_names())


@pytest.mark.parametrize("topic_id, question, aspect", [
    ("assessment_what", "how long does that take?", "time"),
    ("family_hubs", "how many of them are there?", "count"),
    ("core_group", "when do they first meet?", "time"),
    ("early_help_what", "do I have to say yes?", "choice"),
])
def test_the_fact_given_answers_what_was_asked_from_the_same_area(kb, topic_id, question, aspect):
    fact = followup.best_fact(kb, kb.default_council, topic_id, question)
    assert fact is not None
    assert aspect in followup.given_aspects(fact.sentence), fact.sentence
    assert kb.topic_area(fact.topic.id) == kb.topic_area(topic_id)


def test_nothing_is_made_up_when_no_sentence_gives_the_aspect(kb):
    # nothing in the area says what is asked (a cost)
    fact = followup.best_fact(kb, kb.default_council, "significant_harm", "is it free?")
    assert fact is None


def test_another_topic_of_the_area_needs_a_link(kb):
    # "how long?" after young carers is not answered with how long a child has been in hospital
    fact = followup.best_fact(kb, kb.default_council, "young_carers", "how long does it take")
    assert fact is None or fact.topic.id == "young_carers"
    # after "will I be told about a referral (to the MASH)", the MASH's timescale is linked
    fact = followup.best_fact(kb, kb.default_council, "referral_told", "how long does that take?")
    assert fact is not None and "time" in followup.given_aspects(fact.sentence)


@pytest.mark.parametrize("text, aspect", [
    ("will they want to speak to my kid?", "child_seen"),
    ("what can they decide at the end?", "decide"),
    ("what does it actually say inside it?", "contents"),
    ("how does a young person end up with them?", "how"),
    ("what can actually come out of it?", "decide"),
    ("are parents even allowed to be there?", "members"),
    ("can my mum attend the meeting?", "members"),
    ("what will they be deciding at it?", "decide"),
    ("what assessments are they going to use with her?", "kind"),
])
def test_more_kinds_of_follow_up_question(text, aspect):
    assert aspect in followup.asked_aspects(text)


def test_asking_to_speak_to_the_child_is_not_asking_for_a_phone_number():
    assert "contact" not in followup.asked_aspects("will they speak to my son?")
    assert "contact" in followup.asked_aspects("who can I speak to?")


def test_a_number_with_a_unit_answers_how_long_better_than_straight_away(kb):
    fact = followup.best_fact(kb, "hampshire", "s47_what", "how long does it take?")
    assert fact is not None and followup.STRONG["time"].search(fact.sentence.lower()), fact.sentence


def test_how_many_counts_the_topics_own_subject(kb):
    fact = followup.best_fact(kb, kb.default_council, "family_hubs", "how many are there in the city?")
    subject = followup.content_words("Family Hubs")
    assert fact is not None and followup._counts_subject(fact.sentence, subject), fact.sentence


def test_a_process_area_answers_from_a_sibling_topic(kb):
    # Hampshire's "what is the assessment" says nothing of time; the assessment's length does
    assert kb.is_process_area("assessment") and not kb.is_process_area("situations")
    fact = followup.best_fact(kb, "hampshire", "assessment_what", "how long does that take?")
    assert fact is not None and fact.topic.id == "assessment_length"


def test_a_sentence_that_points_back_keeps_the_one_before(kb):
    fact = followup.best_fact(kb, kb.default_council, "social_work_careers", "how long does the Step Up one take?")
    assert fact is not None and "step up" in fact.sentence.lower() and "14 months" in fact.sentence


def test_naming_only_what_the_current_topic_says_fits_it(kb, vocab):
    names = kb.council_names()
    assert followup.fits_current(kb, kb.default_council, "social_work_careers", "and the Step Up one?", vocab, names)
    assert not followup.fits_current(kb, kb.default_council, "social_work_careers", "what is a core group", vocab,
                                     names)


def test_a_figure_the_topic_does_not_give_is_said_to_be_unknown(kb):
    council = kb.default_council
    assert followup.lacks_asked_figure(kb, council, "complaints", "how many days do they have to reply to me?")
    assert not followup.lacks_asked_figure(kb, council, "assessment_length", "how long does it take?")
    assert not followup.lacks_asked_figure(kb, council, "complaints", "how do I complain?")  # no figure asked


def test_a_sibling_fact_is_chosen_for_the_current_topics_subject_not_a_shared_word(kb):
    # Coventry gives no time for Section 47 enquiries: the nearest timed fact is what follows them
    # (the conference, 15 working days), not the child protection plan's review for sharing "protection"
    fact = followup.best_fact(kb, "coventry", "s47_what", "how long does that take?")
    assert fact is not None and "15 working days" in fact.sentence and "enquiries" in fact.sentence
    assert followup.lacks_asked_figure(kb, "coventry", "s47_what", "how long does that take?")


def test_as_long_as_gives_a_time():
    assert "time" in followup.given_aspects("They can stay as long as they need to.")


def test_a_sentence_that_announces_what_follows_keeps_it(kb):
    fact = followup.best_fact(kb, "hampshire", "icpc_outcomes", "what can they decide?")
    # Hampshire's own "...a decision is made about next steps." or the national "...one of two things."
    assert fact is not None and fact.sentence.split(". ")[0].endswith(("next steps", "one of two things"))
    assert "child protection plan" in fact.sentence and "Child in Need" in fact.sentence


def test_a_sibling_fact_about_what_was_asked_needs_no_warning(kb):
    # a teacher after how to refer: "how long until they decide?" is answered by the MASH's decision
    # time, which names the deciding asked about; Section 47's nearest timed fact (the conference) does not
    q = "how long until they decide?"
    fact = followup.best_fact(kb, "coventry", "how_to_refer", q)
    assert fact is not None and fact.topic.id == "mash_decision_time"
    assert followup.says_what_was_asked(q, fact)
    q = "how long does that take?"
    fact = followup.best_fact(kb, "coventry", "s47_what", q)
    assert fact is not None and not followup.says_what_was_asked(q, fact)


@pytest.mark.parametrize("council, topic_id, question, says", [
    # how long it lasts, not the first meeting's 10 working days
    ("coventry", "cin_what", "how long does it usually last?", "as long as"),
    # the sentence that names what the one before it spoke of comes with it
    ("bolton", "mash_what", "who looks at it first?", "MASSS"),
    ("bolton", "send_local_offer", "who do they work with?", "health"),
    # "on his own" and "without me" are "alone"
    ("bolton", "statutory_visits", "does she have to see him on his own?", "alone"),
    ("bolton", "statutory_visits", "does the social worker have to see him without me?", "alone"),
    # "signs that off" is agrees; the next conference is the review; what "comes out of" a meeting is
    # what it decides
    ("hampshire", "cp_plan", "who signs that off?", "agreed by"),
    ("coventry", "icpc_what", "how long until the next one?", "review"),
    ("hampshire", "icpc_what", "what could come out of it?", "plan"),
    # who a team is made of: the sentence that says who sits in it
    ("coventry", "mash_what", "who actually works in it?", "agencies"),
    ("bolton", "mash_contact", "who is in it?", "police"),
    # which ones: the sentence that names them
    ("coventry", "youth_justice", "what assessments do they use?", "Asset Plus"),
    # which service: the one that does it, not a question the text asks its reader
    ("coventry", "asylum", "which service does the needs assessment?", "Throughcare"),
    # a different case: the sentence with its exception
    ("coventry", "statutory_visits", "what if he's only a baby?", "observed"),
    # how long a team helps: the ages it works with
    ("bolton", "leaving_care", "how long will the team support me for?", "16 to 23"),
    # a sentence that points back is about what it points to
    ("coventry", "kinship_care", "social care already knew us before that, does it make a difference?",
     "Child in Need plan"),
])
def test_the_fact_that_answers_in_other_words(kb, council, topic_id, question, says):
    fact = followup.best_fact(kb, council, topic_id, question)
    assert fact is not None and says in fact.sentence, fact and fact.sentence


@pytest.mark.parametrize("council, topic_id, question, lacking", [
    ("coventry", "looked_after", "how many children are in care right now?", True),  # "6 months" counts no children
    ("coventry", "family_hubs", "how many family hubs are there?", False),
    ("bolton", "teams_roles", "how many safeguarding teams are there?", False),
    ("coventry", "assessment_length", "how many days does the assessment take?", False),
])
def test_a_count_is_given_only_by_a_sentence_that_counts_that_thing(kb, council, topic_id, question, lacking):
    assert followup.lacks_asked_figure(kb, council, topic_id, question) is lacking


def test_the_councils_own_fact_is_not_used_when_the_general_answer_gives_the_figure(kb):
    # Coventry's "a plan is reviewed every 6 months" is not how long until a review conference
    assert followup.own_fact(kb, "coventry", "review_conference", "how long until the review conference") is None


def test_a_figure_of_something_else_is_not_the_councils_answer(kb):
    # Bolton has no item for the CIN plan; "all plans are reviewed every 6 months" is not how long one lasts
    assert followup.own_fact(kb, "bolton", "cin_what", "how long does a CIN plan last?") is None


def test_a_follow_up_is_about_what_the_message_before_named(kb):
    # "they" are the team the person named, not whichever of Bolton's teams comes first
    question = "what ages do they work with?"
    fact = followup.best_fact(kb, "bolton", "teams_roles", question, context="my son has the leaving care team now")
    assert "Leaving Care" in fact.sentence and "16 to 23" in fact.sentence
    assert "Leaving Care" not in followup.best_fact(kb, "bolton", "teams_roles", question).sentence


def test_who_takes_part_is_answered_by_the_sentence_that_names_them(kb):
    fact = followup.best_fact(kb, "bolton", "teams_roles", "who else do they work with?")
    assert "schools" in fact.sentence and "health visitors" in fact.sentence


@pytest.mark.parametrize("council, topic_id, question, before, says", [
    ("hampshire", "cin_what", "how does it finish?", "we have a child in need plan", "review meeting"),
    ("hampshire", "cin_what", "could it get more serious than that?", "my son is on a child in need plan", "step up"),
    ("coventry", "how_to_refer", "do I have to tell the parents first?", "I'm a GP and want to refer a child",
     "unless"),
    ("coventry", "return_home", "do we get a say?", "our daughter may come home from foster care soon", "views"),
    ("hampshire", "core_group", "what do they actually do?", "after the ICPC they set up a core group",
     "implementing"),
])
def test_a_follow_up_gets_the_sentence_that_gives_what_it_asks(kb, council, topic_id, question, before, says):
    # how it ends, whether it can become more serious, whether someone is told, whether they have a say,
    # what someone's job is
    fact = followup.best_fact(kb, council, topic_id, question, context=before)
    assert fact is not None and says in fact.sentence.lower()


@pytest.mark.parametrize("text, contact", [("who will they speak to?", False), ("who can I speak to?", True),
                                           ("who does the social worker talk to?", False)])
def test_who_they_speak_to_is_not_a_question_for_a_phone_number(text, contact):
    assert ("contact" in followup.asked_aspects(text)) is contact


def test_hearing_back_is_asking_for_the_decision(kb):
    fact = followup.best_fact(kb, "coventry", "referral_consent", "how long until I hear back?")
    assert fact is not None and "1 working day" in fact.sentence
    assert followup.says_what_was_asked("how long until I hear back?", fact)


def test_without_is_alone_only_for_a_person():
    assert "alone" in followup._plain("will they see her without her mum?")
    assert "alone" not in followup._plain("can I go without a referral?")


def test_who_agrees_is_the_sentence_that_says_agreed_by_whom(kb):
    # the topic's own text speaks of agreeing ("what your family agrees to do"), but not of who agrees changes
    fact = followup.role_fact(kb, "hampshire", "cin_what", "things keep changing in our plan, who is supposed to agree "
                                                           "changes?")
    assert fact is not None and "agreed by the allocated social care practitioner" in fact.sentence


def test_what_a_named_body_does_and_a_councils_name_in_the_question(kb):
    assert "does" in followup.asked_aspects("what does the core group do?")
    fact = followup.best_fact(kb, "hampshire", "core_group", "what does the core group do?")
    assert "implementing" in fact.sentence
    # "Bolton" in the question is not a word the answer must share ("In Bolton, the Leaving Care team...")
    fact = followup.best_fact(kb, "bolton", "leaving_care", "which plan do Bolton care leavers get?")
    assert "Pathway Plan" in fact.sentence


def test_how_often_is_answered_by_every(kb):
    fact = followup.best_fact(kb, "bolton", "review_conference", "and how often are plans reviewed in Bolton?")
    assert "every 6 months" in fact.sentence


@pytest.mark.parametrize("text, points_back", [
    ("when will her first review be?", True), ("who actually works there?", True),
    ("how many of them are there?", True), ("what tools do they use with her?", True),
    # "is there a ...?" points at nothing; a long message stands on its own
    ("is there a family hub near me?", False), ("what is a child protection conference?", False),
    ("they said at the meeting that the plan would be reviewed in three months but nobody has told us when it "
     "will be or who will be there", False),
])
def test_a_short_message_that_points_back(text, points_back):
    assert followup.refers_back(text) is points_back


def test_a_duration_asked_is_not_how_long_a_step_takes(kb):
    # "up to 45 working days" is how long an assessment takes, not how long a plan goes on
    fact = followup.best_fact(kb, "coventry", "cin_what", "how long does it go on for?")
    assert fact is not None and "as long as" in fact.sentence


def test_a_question_sentence_is_never_the_fact(kb):
    for topic_id in ("send_local_offer", "kinship_care", "asylum"):
        fact = followup.best_fact(kb, "coventry", topic_id, "who does the assessment?")
        assert fact is None or not fact.sentence.endswith("?")


def test_a_rare_word_the_topic_never_uses_finds_its_sentence(kb):
    fact = followup.elsewhere_fact(kb, "coventry", "looked_after", "who works with children in care proceedings?")
    assert fact is not None and fact.topic.id == "teams_roles" and "care proceedings" in fact.sentence
    # the topic has the words: its own answer stands
    assert followup.elsewhere_fact(kb, "coventry", "teams_roles", "who works with children in care proceedings?") \
        is None
    # only what something is ("in plain words" is not a fact to look for), or words many items use
    assert followup.elsewhere_fact(kb, "coventry", "assessment_what",
                                   "what's a child and family assessment, in plain words?") is None
    assert followup.elsewhere_fact(kb, "coventry", "statutory_visits",
                                   "does the social worker have to see my child alone?") is None


@pytest.mark.parametrize("council, topic_id, question, before, says", [
    # running a group is leading or chairing it
    ("hampshire", "core_group", "who runs it?", "", "leads"),
    # who is speaking in the message before is not what "it" is
    ("hampshire", "core_group", "who leads it?", "I'm a teacher and I sit in the core group", "leads"),
    # a phone in "what if" asks what happens then, not for the number
    ("coventry", "mash_what", "what if they can't get me on the phone?", "", "letter"),
    # someone coming to see the child is whether the child is seen
    ("coventry", "assessment_child_seen", "when are they coming to see her?", "", "seen"),
])
def test_the_doing_and_the_case_asked_find_their_sentence(kb, council, topic_id, question, before, says):
    fact = followup.best_fact(kb, council, topic_id, question, context=before)
    assert fact is not None and says in fact.sentence.lower()


@pytest.mark.parametrize("text", ["what's the deadline?", "is there a deadline for it?"])
def test_a_deadline_names_no_topic(vocab, kb, text):
    assert followup.is_follow_up(text, vocab, ignore=kb.council_names())


def test_a_sentence_about_another_section_of_the_act_is_not_the_answer(kb):
    fact = followup.best_fact(kb, "hampshire", "assessment_length",
                              "by when must they have finished the section 17 assessment?")
    assert fact is not None and "section 47" not in fact.sentence.lower() and "15 days" in fact.sentence


def test_an_everyday_word_that_names_a_thing_is_shared():
    fact = followup.Fact(None, "The first meeting should be held within 10 working days.", 1.0)
    assert followup.shares_words("when's the first meeting?", fact)
    assert not followup.shares_words("when's the first meeting?",
                                     followup.Fact(None, "A plan lasts for as long as it is needed.", 1.0))


def test_ending_up_somewhere_is_not_asking_how_it_ends():
    assert "end" not in followup.asked_aspects("how does a child end up with them?")
    assert "end" in followup.asked_aspects("when does it end?")


def test_a_fact_of_the_process_that_names_what_the_message_names(kb, vocab):
    # "a copy" is the title's word: the assessment's copy, within 5 working days
    fact = followup.fact_names_it(kb, "coventry", "assessment_what", "when should we be given our copy?", vocab,
                                  ignore=kb.council_names())
    assert fact is not None and fact.topic.id == "assessment_copy" and "5 working days" in fact.sentence
    # nothing of the process names a complaint
    assert followup.fact_names_it(kb, "coventry", "assessment_what", "when can I make a complaint?", vocab,
                                  ignore=kb.council_names()) is None


def test_words_shared_with_a_question_are_counted():
    asked = "when does his first review need to happen?"
    first = followup.Fact(None, "The first review is held within 20 working days.", 1.0)
    every = followup.Fact(None, "Every plan for a child or young person must be reviewed at least every 6 months.", 1.0)
    assert followup.shared_words(asked, first) > followup.shared_words(asked, every) > 0


def test_a_rare_word_does_not_fetch_a_sentence_about_another_section(kb):
    asked = "by when must they be finishing the section 17 assessment?"
    assert followup.elsewhere_fact(kb, "hampshire", "assessment_length", asked) is None
    enquiries = asked.replace("17 assessment", "47 enquiries")
    other = followup.elsewhere_fact(kb, "hampshire", "assessment_length", enquiries)
    assert other is not None and other.topic.id == "s47_length"


def test_why_is_answered_by_the_reason_with_the_reasons_after_it(kb):
    fact = followup.best_fact(kb, "coventry", "statutory_visits", "what's the reason for the visits?")
    assert fact is not None and "safe" in fact.sentence and "views" in fact.sentence
    assert "baby" not in fact.sentence  # "These are called statutory visits." says itself what it is about


def test_what_a_plan_holds_runs_on_while_the_sentences_carry_on_about_it(kb):
    fact = followup.best_fact(kb, "hampshire", "cin_what", "what goes in it?")
    assert fact is not None and "working well" in fact.sentence and "help is needed" in fact.sentence


def test_who_do_i_tell_asks_for_someone_to_get_in_touch_with(kb):
    assert "contact" in followup.asked_aspects("if I'm worried about her there, who should I tell?")
    number = followup.Fact(None, "If you are worried about a child, call the MASH on 024 7678 8555.", 4.3)
    visits = followup.Fact(None, "A social worker visits at set times.", 4.2)
    assert followup.gives_more("who should I tell?", number, visits)
    assert not followup.gives_more("who should I tell?", visits, number)


def test_a_year_is_not_a_count():
    assert "count" not in followup.given_aspects("The guide names Working Together 2013 as its guidance.")
    assert "count" in followup.given_aspects("There are 3 Referral and Assessment teams.")


def test_how_long_something_goes_on_is_answered_by_when_it_must_be_finished(kb):
    fact = followup.best_fact(kb, "hampshire", "s47_what",
                              "they've opened a section 47 on us and I'm scared stiff, how long will it go on?")
    assert fact is not None and fact.topic.id == "s47_length"


def test_when_after_another_question_word_says_which_time_it_asks_about():
    assert "time" not in followup.asked_aspects("we adopted him at 3, which team helps when he turns 18?")
    assert "time" not in followup.asked_aspects("does the school have to tell me when they refer us?")
    assert "time" in followup.asked_aspects("is it voluntary, and when does it finish?")
    assert "time" in followup.asked_aspects("what's the plan and by when?")
    assert "time" in followup.asked_aspects("ok. when do they visit?")


def test_the_longest_or_the_quicker_one_asks_how_long():
    assert "time" in followup.asked_aspects("which of the two is shorter?")
    asked = followup.asked_aspects("what is the longest it's allowed to run?")
    assert "time" in asked and "choice" not in asked
    assert "choice" in followup.asked_aspects("are they allowed to come in?")


def test_a_topic_the_council_has_nothing_on_is_answered_from_its_own_item_the_search_plainly_finds(kb):
    # Bolton has no safeguarding partnership item (nor a national one); its teams item names the guidance
    fact = followup.searched_own_fact(kb, "bolton", "cscp_what",
                                      "what national guidance is children's social work here based on?")
    assert fact is not None and fact.topic.council == "bolton" and "2013" in fact.sentence
    # a council that has the topic answers it as usual; a question the search finds nothing clear for, none
    assert followup.searched_own_fact(kb, "coventry", "cscp_what", "which edition of Working Together?") is None
    assert followup.searched_own_fact(kb, "bolton", "cscp_what", "what is it?") is None


@pytest.mark.parametrize("text, subject", [("what's an IRO?", "iro"), ("wats a core group", "core group"),
                                           ("what is the MASH", "mash"),
                                           ("what guidance do Bolton's social workers go by?", None),
                                           ("how long is a section 47 enquiry?", None)])
def test_a_question_that_only_asks_what_something_is(text, subject):
    assert followup.what_it_is(text) == subject


def test_what_something_is_is_not_answered_from_a_sentence_that_only_names_it(kb):
    # Coventry has no item on IROs; its sentence naming who chairs an asylum-seeking child's review is no answer
    assert kb.topic("coventry", "iro_what") is None
    assert followup.searched_own_fact(kb, "coventry", "iro_what", "what's an independent reviewing officer?") is None


@pytest.mark.parametrize("council, topic, text, given", [
    ("bolton", "teams_roles", "how long do they stick around for?", True),  # "they work short term"
    ("coventry", "young_carers", "and how long does that take?", False),  # the time to something, not given
])
def test_how_long_something_goes_on_may_be_said_in_words(kb, council, topic, text, given):
    assert followup.gives_duration(kb, council, topic, text) is given


def test_a_sentence_that_follows_on_in_time_comes_with_the_one_before():
    said = ["The first review is within 3 months.", "After that, it meets every 6 months."]
    assert followup._with_antecedent(said, 1) == " ".join(said)


def test_a_sentence_naming_a_time_said_before_comes_with_the_one_before():
    said = ["The first review conference is within 3 months.", "The 3 months start from the first conference."]
    assert followup._with_antecedent(said, 1) == " ".join(said)


@pytest.mark.parametrize("question, sentence, gives", [
    ("how long does that take?", "The MASH decides within 1 working day.", True),
    ("how long does that take?", "The MASH decides what happens next.", False),
    ("what age do they stop?", "It is for children up to 18.", True),
    ("who runs it?", "It is run by the council.", True),  # no figure asked: nothing missing
])
def test_a_sentence_gives_the_figures_asked_in_so_many_words(question, sentence, gives):
    assert followup.gives_figures(question, sentence) is gives


@pytest.mark.parametrize("text", ["it's Hampshire County Council that's dealing with us", "we're Coventry City"])
def test_a_councils_full_name_names_no_topic(kb, text):
    # ("county" alone is a word of a topic: county lines)
    assert not followup.names_a_topic(text, followup.vocabulary(kb), ignore=kb.council_names())


def test_a_section_asked_by_number_is_answered_by_the_topic_that_names_it(kb):
    guesses = ["s47_length", "cin_what", "s47_police"]
    asked = "what's section 17 all about then?"
    assert followup.section_topic(kb, "coventry", asked, "s47_what", guesses) == "cin_what"
    # the topic chosen names the section asked (or the question names none): it stays
    assert followup.section_topic(kb, "coventry", "what is a section 47?", "s47_what", guesses) == "s47_what"
    assert followup.section_topic(kb, "coventry", "what is child in need?", "s47_what", guesses) == "s47_what"


def test_a_section_named_beside_a_fear_is_answered_by_its_process_topic(kb):
    # a general topic (the fear of a child being taken) names no section: with `general` it gives way to the
    # guess that names the section asked; without it, it stays
    fear = "a section 47 has been opened on my daughter, does that mean they remove her?"
    guesses = ["cin_what", "s47_what"]
    assert followup.section_topic(kb, "coventry", fear, "family_together", guesses,
                                  general=("family_together",)) == "s47_what"
    assert followup.section_topic(kb, "coventry", fear, "family_together", guesses) == "family_together"


@pytest.mark.parametrize("text", ["will anyone let us know what they decided?", "would somebody tell me the outcome"])
def test_asking_whether_anyone_will_say_asks_to_be_told_not_who(text):
    assert "told" in followup.asked_aspects(text) and "who" not in followup.asked_aspects(text)


def test_who_does_something_is_answered_by_the_sentence_that_names_them_not_by_someone(kb):
    fact = followup.best_fact(kb, "bolton", "cin_review", "who reviews them then?")
    assert "Independent Reviewing Officers" in fact.sentence


def test_who_does_something_is_found_through_the_sentence_they_point_back_to(kb):
    # "They review child protection plans too.": "they" are the Independent Reviewing Officers
    fact = followup.best_fact(kb, "bolton", "cp_plan", "who reviews the plan")
    assert "Independent Reviewing Officer" in fact.sentence


def test_a_very_short_fact_comes_with_the_sentence_after_it(kb):
    fact = followup.best_fact(kb, "hampshire", "cin_voluntary", "do we get a choice?")
    assert len(fact.sentence.split()) >= followup.SHORT_FACT and "voluntary" in fact.sentence


def test_the_everyday_word_that_names_a_thing_chooses_between_two_figures(kb):
    fact = followup.best_fact(kb, "coventry", "cin_first_meeting", "how soon do we get the notes?")
    assert "notes" in fact.sentence


def test_asked_for_a_number_the_council_does_not_give_no_other_sentence_stands_in(kb):
    assert followup.searched_own_fact(kb, "bolton", "mash_out_of_hours",
                                      "Bolton children's social care, what's their phone number after hours?") is None


def test_a_name_asked_with_call_is_not_asked_for_a_number(kb):
    fact = followup.searched_own_fact(kb, "bolton", "safeguarding_partnership",
                                      "what do Bolton call the key guidance, which Working Together?")
    assert fact is not None and "2013" in fact.sentence


def test_a_fact_of_the_topic_giving_the_place_asked_answers_where(kb):
    fact = followup.best_fact(kb, "coventry", "complaints", "where do I post it to?")
    assert fact is not None and "Broadgate House" in fact.sentence
    assert followup.gives_the_aspect_asked("where do I post it to?", fact)
    assert not followup.gives_the_aspect_asked("is it free?", fact)


@pytest.mark.parametrize("question", ["can we just walk in somewhere?", "is there anywhere I can go in person"])
def test_asking_whether_one_can_go_somewhere_asks_where(question):
    assert "where" in followup.asked_aspects(question)


def test_a_sentence_naming_a_kind_of_building_to_go_into_gives_where():
    assert "where" in followup.given_aspects("You can also walk into a Family Hub near you.")



@pytest.mark.parametrize("council, topic, question, said", [
    ("bolton", "cin_closure", "and what help is there once they have closed it?", "lead practitioner"),
    ("hampshire", "cin_closure", "will the support just stop when it finishes?", "early help"),
])
def test_asked_what_is_left_once_it_ends_the_fact_is_what_carries_on(kb, council, topic, question, said):
    fact = followup.best_fact(kb, council, topic, question)
    assert fact is not None and said in fact.sentence.lower(), fact and fact.sentence


def test_asking_when_it_ends_is_not_asking_what_carries_on():
    assert "after" not in followup.asked_aspects("when does the plan end?")
    assert "after" in followup.asked_aspects("is that the end of it then?")


def test_a_sentence_saying_by_whom_it_is_done_answers_who(kb):
    assert "who" in followup.given_aspects("Plans like these are checked by someone independent.")
    fact = followup.best_fact(kb, "coventry", "cp_plan", "does her social worker review it, or is it somebody else?")
    assert fact is not None and "independent" in fact.sentence, fact and fact.sentence


def test_the_councils_own_sentence_that_points_back_is_about_what_it_points_to(kb):
    # Bolton has no item of its own on being told about a referral; asked who the MASSS are, its own
    # sentence "It is a team of social workers and police." is about the MASSS named before it
    fact = followup.own_fact(kb, "bolton", "referral_told",
                             "the letter says our referral is with the MASSS, who are they?")
    assert fact is not None and "social workers and police" in fact.sentence, fact and fact.sentence


@pytest.mark.parametrize("text", ["how long have they got to get it done?", "how many days do they have to finish it?",
                                  "by when does the council need to decide?", "when has it got to be held?",
                                  "when does the review meeting have to be held?"])
def test_the_services_deadline_is_not_the_familys_choice(text):
    asked = followup.asked_aspects(text)
    assert "time" in asked and "choice" not in asked


def test_whether_the_family_has_to_is_still_a_choice():
    assert "choice" in followup.asked_aspects("how long have I got to decide if I have to agree?")


@pytest.mark.parametrize("text", ["what's actually written in one of those?", "what will she be looking at?"])
def test_everyday_verbs_name_no_topic_so_a_question_pointing_back_is_a_follow_up(vocab, text):
    assert followup.is_follow_up(text, vocab)


def test_which_team_is_answered_by_the_sentence_that_names_a_team(kb):
    # not "After the assessment, the team manager decides what plan is best"
    fact = followup.best_fact(kb, "bolton", "assessment_what", "which team will do it?")
    assert "Referral and Assessment team" in fact.sentence


@pytest.mark.parametrize("sentence, named", [
    ("The Referral and Assessment team works with your family.", True),
    ("There is also a Children with Disability team.", True),
    ("The team manager decides what plan is best.", False),
    ("All social work teams carry them out.", False),
])
def test_a_team_named_by_its_name(sentence, named):
    assert bool(followup._NAMED_TEAM.search(sentence)) is named


def test_who_chairs_a_review_conference_is_the_councils_sentence_on_who_chairs_conferences(kb):
    # Bolton's Independent Reviewing Officers "also chair child protection conferences" (with its children
    # in care), not the national sentence on who leads Section 47 enquiries
    fact = followup.best_fact(kb, "bolton", "review_conference", "who chairs it?")
    assert "chair" in fact.sentence and fact.topic.id != "strategy_discussion"


@pytest.mark.parametrize("text, known", [
    ("what does the council's assessment actually check?", True),
    ("how long does the assessment take?", True),
    ("who would do a carers assessment for me?", False),
    ("what is a child and family assessment?", False),
])
def test_a_thing_named_as_one_already_known(vocab, kb, text, known):
    assert followup.names_as_known(text, vocab, ignore=kb.council_names()) is known


def test_which_teams_with_a_councils_name_between_asks_who(kb):
    assert "who" in followup.asked_aspects("which social workers deal with it?")
    assert "who" in followup.asked_aspects("which teams could take it over?")
    # Bolton's Safeguarding teams also work with children in care proceedings: said in another topic
    fact = followup.elsewhere_fact(kb, "bolton", "looked_after", "Which Bolton teams work with children in care "
                                                                 "proceedings?")
    assert fact is not None and "Safeguarding teams" in fact.sentence


def test_which_team_is_not_the_team_the_person_is_already_with(kb):
    fact = followup.best_fact(kb, "bolton", "teams_roles", "which teams could take it over?",
                              context="our case is moving on from the referral and assessment team")
    assert "Referral and Assessment" not in fact.sentence


@pytest.mark.parametrize("text", ["is there a team that specialises in that?", "does that make a difference?"])
def test_everyday_words_that_share_a_stem_with_a_topic_name_no_topic(kb, text):
    # ("specialises" shares its first letters with special needs; "difference" with the difference between a
    # short and a full assessment)
    assert not followup.names_a_topic(text, followup.vocabulary(kb), ignore=kb.council_names())


def test_a_sentence_that_brings_people_together_says_who_is_there():
    assert "members" in followup.given_aspects("It brings together family members and the practitioners.")


@pytest.mark.parametrize("text", ["might the plan turn into child protection later?", "could ours become a CP case?",
                                  "what if they push it up to child protection",
                                  # asked to be escalated or stepped up
                                  "is it possible to have it escalated", "how do we step the case up",
                                  "would the worries need to be escalated"])
def test_asked_whether_a_plan_can_become_child_protection_the_area_says_how_it_steps_up(kb, text):
    fact = followup.escalation_fact(kb, "hampshire", "cin_what", text)
    assert fact is not None and "step up" in fact.sentence.lower()


@pytest.mark.parametrize("text", ["how long does the plan last?", "we moved up to Bolton last year, is it the same?"])
def test_other_questions_are_no_step_up(kb, text):
    assert followup.escalation_fact(kb, "hampshire", "cin_what", text) is None


@pytest.mark.parametrize("council, topic_id, asked, said", [
    # "when will it stop?" of a plan already going on asks how long it lasts
    ("coventry", "cin_what", "when will it stop?", "as long as"),
    # the council's own "who" over the national item's, unless more is asked
    ("coventry", "s47_what", "who actually carries it out?", "qualified social worker"),
    ("coventry", "s47_what", "who else is involved?", "police"),
])
def test_a_follow_up_gets_the_fact_it_asks_for(kb, council, topic_id, asked, said):
    fact = followup.best_fact(kb, council, topic_id, asked)
    assert fact is not None and said in fact.sentence


@pytest.mark.parametrize("council, topic_id, asked, lacks", [
    # "when will it be over?" asks for a time, which Hampshire's Section 47 item itself does not give
    ("hampshire", "s47_what", "they've started a section 47 on us. when will it be over?", True),
    # a plan that lasts "as long as is necessary" says how long, in words
    ("coventry", "cin_what", "we're on a child in need plan, when will it stop?", False),
])
def test_when_it_will_be_over_asks_for_a_time(kb, council, topic_id, asked, lacks):
    assert followup.lacks_asked_figure(kb, council, topic_id, asked) is lacks


def test_a_short_word_s_s_form_is_the_same_word():
    asked, said = followup.content_words("what do plans set out?"), followup.content_words("The plan sets out the aims")
    assert "set" in asked & said
    assert followup.content_words("kids") == followup.content_words("kid")
    assert followup._stem("this") == "this" and followup._stem("does") == "does" and followup._stem("plus") == "plus"


def test_whether_the_family_has_to_go_to_a_meeting_is_still_a_choice():
    assert "choice" in followup.asked_aspects("when do I have to go to the meeting?")


def test_how_long_one_is_on_a_plan_asks_how_long_it_lasts(kb):
    fact = followup.best_fact(kb, "coventry", "cin_what", "and how long are families on one for?")
    assert fact is not None and "as long as" in fact.sentence.lower(), fact and fact.sentence


def test_the_conference_with_no_word_for_which_is_the_first_one(kb):
    # after being told the enquiries found a risk of significant harm, "when is the conference?" asks for the
    # initial conference's timescale, not the review conference's, nor the core group's that counts from it
    fact = followup.best_fact(kb, "hampshire", "significant_harm", "right, and when is the conference?")
    assert fact is not None and fact.topic.id == "icpc_what", fact and (fact.topic.id, fact.sentence)
    fact = followup.best_fact(kb, "hampshire", "icpc_what", "and when's the next one after that?")
    assert fact is not None and fact.topic.id == "review_conference", fact and (fact.topic.id, fact.sentence)


def test_what_a_time_counts_from_is_not_what_the_sentence_is_about(kb):
    # "within 10 working days of the first conference" is the core group's timescale
    fact = followup.best_fact(kb, "hampshire", "core_group", "when has it got to meet?")
    assert fact is not None and fact.topic.id == "core_group" and "10 working days" in fact.sentence, \
        fact and (fact.topic.id, fact.sentence)


def test_a_council_s_own_fact_needs_more_than_a_word_most_of_its_items_use(kb):
    # Bolton's documents say nothing of complaints: "care" is no reason to answer with its leaving care team
    assert followup.own_fact(kb, "bolton", "complaints", "who handles complaints about social care?") \
        is None


def test_a_council_s_own_fact_has_the_question_s_rare_word(kb):
    # Coventry's documents have no item on leaving care: its strategic leads, who look after children in care, are
    # no answer to who works with care leavers
    assert followup.own_fact(kb, "coventry", "leaving_care", "who helps young people when they are leaving care?") \
        is None


@pytest.mark.parametrize("text, aspect", [
    ("will the social worker be around long term?", "time"),
    ("do they need to talk to my lad by himself?", "child_seen"),
    ("and if the team can't reach us by phone, what then?", "miss"),
])
def test_everyday_ways_of_asking_an_aspect(text, aspect):
    assert aspect in followup.asked_aspects(text)


def test_ending_up_more_serious_asks_whether_it_can_step_up():
    assert followup.asked_aspects("might this end up more serious?") == {"escalate"}


def test_a_plan_that_can_step_up_answers_whether_it_can_get_more_serious(kb):
    fact = followup.best_fact(kb, "hampshire", "cin_voluntary", "might it end up more serious than this?")
    assert fact is not None and "step" in fact.sentence.lower(), fact and fact.sentence


def test_who_makes_the_call_asks_who_decides(kb):
    fact = followup.own_fact(kb, "bolton", "cp_plan", "who makes the call between a child in need plan and a cp one?")
    assert fact is not None and "team manager" in fact.sentence, fact and fact.sentence


def test_a_question_after_a_dash_still_asks_when():
    asked = followup.asked_aspects("what if we move to Bolton - when has it got to happen?")
    assert "time" in asked and "choice" not in asked


def test_the_current_topic_s_title_does_not_stand_in_for_words_its_sentence_lacks(kb):
    # after Bolton's team for disabled children, what help such a team gives: the sentences that say it (significant
    # disability, specialist support), not "It is called..." for sharing a stem with the topic's title
    fact = followup.best_fact(kb, "bolton", "send_local_offer", "what kind of help could a specialist team give?")
    assert fact is not None and "specialist support" in fact.sentence, fact and fact.sentence


def test_as_well_is_not_a_content_word():
    assert followup.content_words("is the school there as well?") == {"school"}
    assert "well" in followup.content_words("keep the child safe and well")


def test_a_sentence_that_points_back_after_a_linking_word_comes_with_what_it_points_to():
    said = ["Hub workers read each form.", "Together they decide who picks it up."]
    assert followup._with_antecedent(said, 1) == "Hub workers read each form. Together they decide who picks it up."
    assert followup._with_antecedent(["Hub workers read each form.", "Together, staff agree."], 1) == \
        "Together, staff agree."


@pytest.mark.parametrize("text", ["is it compulsory?", "is going optional", "are we obliged to take part"])
def test_whether_one_must_asked_in_other_words(text):
    assert "choice" in followup.asked_aspects(text)


def test_a_sentence_that_says_it_is_voluntary_gives_the_choice_strongly():
    assert followup.STRONG["choice"].search("early help is voluntary")
    assert not followup.STRONG["choice"].search("if you agree, the worker visits")


@pytest.mark.parametrize("text, said", [
    ("what about a baby?", "baby is observed"),
    ("and what about babies, they can't answer", "baby is observed"),
])
def test_asked_how_the_topic_goes_for_one_thing_the_sentence_that_names_it(kb, text, said):
    # "what about X?" asks nothing but how the conversation's topic goes for X: one word of it is enough
    fact = followup.best_fact(kb, "bolton", "statutory_visits", text)
    assert fact is not None and said in fact.sentence.lower(), fact and fact.sentence


def test_one_shared_word_is_not_enough_without_what_about():
    assert followup._WHAT_ABOUT.match("what about the baby")
    assert not followup._WHAT_ABOUT.match("is the baby seen")


def test_asked_whether_something_means_another_the_sentence_that_says_what_it_means(kb):
    # a plan closed when parents did not engage: whether that shows the need has gone down
    fact = followup.best_fact(kb, "hampshire", "cin_closure", "so would that show the need has gone down?")
    assert fact is not None and "does not mean" in fact.sentence, fact and fact.sentence


@pytest.mark.parametrize("text, before", [("what's the plan called that I'll get?", ""),
                                          ("what do they call it", "will I get a plan when I leave care?")])
def test_asked_what_something_is_called_the_sentence_that_names_it(kb, text, before):
    assert "name" in followup.asked_aspects(text)
    fact = followup.best_fact(kb, "bolton", "leaving_care", text, context=before)
    assert fact is not None and "Pathway Plan" in fact.sentence, fact and fact.sentence


def test_being_called_by_someone_asks_no_name():
    assert "name" not in followup.asked_aspects("the school called me, what happens now?")


@pytest.mark.parametrize("text", ["and what is the first conference counted from?", "when does its clock start?"])
def test_asked_what_a_time_counts_from_the_sentence_that_says_of_what(kb, text):
    fact = followup.best_fact(kb, "hampshire", "s47_length", text)
    assert fact is not None and "of the strategy discussion" in fact.sentence, fact and fact.sentence


@pytest.mark.parametrize("text, who", [("will it only be our social worker chairing it?", True),
                                       ("is it always the same person leading them", True),
                                       ("is it just me or is this confusing", False)])
def test_whether_one_person_does_it_asks_who(text, who):
    assert ("who" in followup.asked_aspects(text)) is who


def test_whether_the_social_worker_runs_the_conference_gets_who_does(kb):
    fact = followup.role_fact(kb, "bolton", "icpc_what", "will it only be our social worker chairing it?")
    assert fact is not None and "Independent Reviewing Officer" in fact.sentence


@pytest.mark.parametrize("council, text, said", [
    ("coventry", "who gets to decide whether they begin at all?", "decide together if child protection enquiries"),
    ("hampshire", "what must take place first, before they can begin?", "start at a strategy discussion"),
])
def test_asked_what_decides_whether_it_starts_the_step_before(kb, council, text, said):
    # not another decision of the process ("the team manager decides which plan")
    fact = followup.best_fact(kb, council, "s47_what", text)
    assert fact is not None and said in fact.sentence, fact and fact.sentence


def test_another_decision_does_not_answer_whether_it_starts(kb):
    fact = followup.best_fact(kb, "coventry", "referral_told", "who decides whether they start?")
    assert fact is None or "decided when they are referred" not in fact.sentence, fact.sentence


@pytest.mark.parametrize("text", ["are we left high and dry afterwards?", "will we be on our own after?",
                                  "what help will there be for us after that?"])
def test_asked_what_there_is_once_it_ends(kb, text):
    assert "after" in followup.asked_aspects(text)
    fact = followup.best_fact(kb, "hampshire", "cin_closure", text)
    assert fact is not None and "early help" in fact.sentence, fact and fact.sentence


def test_how_it_comes_to_an_end_is_where_it_ends(kb):
    # ("usually ends at a review meeting" says how it is closed; "closed because parents did not engage" says why)
    fact = followup.best_fact(kb, "hampshire", "cin_what", "how do they actually close it?")
    assert fact is not None and "review meeting" in fact.sentence, fact and fact.sentence


@pytest.mark.parametrize("text, choice", [("what can they decide?", False), ("how can they do that?", False),
                                          ("can they make me go?", True), ("can we say no?", True)])
def test_what_they_can_do_asks_no_choice(text, choice):
    assert ("choice" in followup.asked_aspects(text)) is choice


@pytest.mark.parametrize("text, end", [("what gets decided at the end, by the panel?", False),
                                       ("so that's the end of everything?", True), ("when does it end?", True)])
def test_at_the_end_is_a_time_not_how_it_ends(text, end):
    assert bool({"end", "after"} & followup.asked_aspects(text)) is end


@pytest.mark.parametrize("topic, before, said", [
    ("s47_what", "no evidence was found after all", "not substantiated"),
    ("assessment_outcome", "the assessment says there is no role for them", "If there is no role"),
])
def test_after_being_told_nothing_was_found_what_happens_then(kb, topic, before, said):
    fact = followup.best_fact(kb, "hampshire", topic, "ok so what now?", context=before)
    assert fact is not None and said in fact.sentence, fact and fact.sentence
    assert followup.found_nothing(before) and not followup.found_nothing("they found significant harm")


def test_what_happens_to_something_named_asks_what_comes_next(kb):
    assert "next" in followup.asked_aspects("what happens to my form now?")
    fact = followup.best_fact(kb, "hampshire", "assessment_outcome", "what happens to my form now?")
    assert fact is not None and "early help" in fact.sentence, fact and fact.sentence


def test_asked_whether_closing_means_all_is_well_in_a_first_message(kb):
    # the sentence that says what it does not mean, not the whole topic; of what the question names only
    fact = followup.meaning_fact(kb, "hampshire", "cin_closure",
                                 "They shut our plan last week. Doesn't closing it show we're doing fine now?")
    assert fact is not None and "does not mean" in fact.sentence, fact and fact.sentence
    failing = "so is that me failing as a mum, does it mean that?"
    assert followup.meaning_fact(kb, "hampshire", "cin_closure", failing) is None
    assert followup.meaning_fact(kb, "hampshire", "cin_closure", "how is it closed?") is None


@pytest.mark.parametrize("text, review", [("by what date must someone look over it again?", True),
                                          ("when is it checked again?", True), ("who'll look over it first?", False)])
def test_looking_at_it_again_asks_for_a_review(text, review):
    assert bool(followup._ASKS_REVIEW.search(text)) is review


@pytest.mark.parametrize("text, topic", [
    ("A child protection plan came first, then a core group. Who sits in that one?", "core_group"),
    ("Core group first, child protection plan second. Is it long?", "cp_plan"),
    ("Our school sent the MASH a form. Then what happens to it?", None),  # one thing, named one way
    ("The ward says she stays until social care agree things. When can that be?", None),  # "care" names no one
    ("Ours is a child protection plan. Who sits in the core group for it?", None),  # the question names it
])
def test_the_thing_a_question_points_back_to_is_the_last_named(kb, vocab, text, topic):
    assert followup.last_named_topic(kb, text, vocab, kb.council_names()) == topic


def test_whether_one_thing_means_another_is_no_question_about_a_word():
    assert followup.asks_if_it_means("Doesn't that show we're doing well?")
    assert not followup.asks_if_it_means("what does CIN mean?")
    assert not followup.asks_if_it_means("people say section 47 - what does it mean?")


def test_asked_what_happens_if_they_cannot_get_through(kb):
    assert followup.asks_if_unreachable("and if they cannot ring us? we sleep days")
    assert not followup.asks_if_unreachable("can I get hold of them at night?")


def test_who_decides_is_answered_by_the_sentence_naming_who_even_when_the_topic_speaks_of_deciding(kb):
    # (the assessment's own answer says "they decide your child's needs"; the team manager decides the plan)
    asked = "once the assessment's over, who decides on CIN or CP?"
    fact = followup.role_fact(kb, "coventry", "assessment_what", asked)
    assert fact is not None and "team manager" in fact.sentence, fact and fact.sentence


def test_why_it_is_done_is_when_it_is_done(kb):
    # ("This is when a child is at risk of significant harm" says why the enquiries are made)
    fact = followup.best_fact(kb, "coventry", "s47_what", "but why are they doing one at all?")
    assert fact is not None and "significant harm" in fact.sentence, fact and fact.sentence


def test_who_does_it_is_not_taken_from_elsewhere_when_the_topic_says_who(kb):
    # (the police item's own answer says a social worker still leads the enquiries)
    assert followup.role_fact(kb, "hampshire", "s47_police", "who is in charge of leading the enquiries?") is None
