"""The safety layer's judgement of one message (safety.judge), with its model trained here on the
layer's own data. These are behaviours, not wordings from any evaluation set."""
from __future__ import annotations

import pytest

from safety.judge import _IS_IT_NORMAL, Cues, Judge
from safety.kinds import SECRET
from safety.signals import SignalDetector


@pytest.fixture(scope="module")
def cues() -> Cues:
    return Cues()


class FixedSafetyModel:
    """A safety model that gives every message the same kind of harm with probability `p` (the rest
    none) and the same speaker."""

    def __init__(self, kind: str, p: float, speaker: str) -> None:
        self.kind, self.p, self._speaker = kind, p, speaker

    def rank_kinds(self, text, top=3):
        return sorted([(self.kind, self.p), ("none", round(1 - self.p, 6))], key=lambda kp: -kp[1])[:top]

    def speaker(self, text):
        return (self._speaker, 0.9)


def test_a_crisis_pattern_raises_a_concern_and_the_model_says_which_abuse(safety_judge: Judge):
    j = safety_judge.judge("my stepdad hits me with his belt")
    assert j.concern and j.kind == "physical_abuse" and "patterns" in j.source


def test_danger_now_comes_first(safety_judge: Judge):
    assert safety_judge.judge("hes hitting mum right now and im hiding").kind == "danger_now"


def test_asking_for_a_secret_alone_is_its_own_kind(safety_judge: Judge):
    j = safety_judge.judge("can you keep a secret if i tell you something")
    assert j.kind == SECRET and j.secret


def test_a_topic_question_is_not_a_concern(safety_judge: Judge):
    for text in ("what is a section 47 enquiry", "how long does a child and family assessment take",
                 "what counts as neglect?", "how do i complain about my social worker",
                 "at what age can a child be left alone?"):
        assert not safety_judge.judge(text).concern, text


def test_asking_whether_what_they_do_is_abuse_is_telling_not_a_topic_question(safety_judge: Judge):
    """"Is it abuse if they only kick where it won't show?" tells of someone in particular; "is it abuse if a
    parent smacks a child?" asks about the subject."""
    assert safety_judge.judge("is it abuse if they only ever kick in places nobody would notice").concern
    assert not safety_judge.judge("is it abuse if a parent smacks a child?").concern
    # the person named by whose they are ("your", "my") is someone in particular too
    assert _IS_IT_NORMAL.search("is it abuse if ur parents lock u out all night")
    assert not _IS_IT_NORMAL.search("is it abuse if a parent smacks a child?")


def test_distress_about_the_process_is_noticed_but_is_not_danger(safety_judge: Judge):
    j = safety_judge.judge("I'm so angry with the school for referring us, what happens now?")
    assert not j.concern and j.distress
    # not sleeping over it is distress too (the reply opens with a warm line)
    j = safety_judge.judge("they've started a section 47 on us and I can't sleep. When will it be over?")
    assert not j.concern and j.distress


# A safety model that is very sure every message is a parent at breaking point.
SURE_OF_BREAKING_POINT = FixedSafetyModel("carer_breaking_point", 0.97, "parent")


def test_crying_over_a_referral_is_distress_not_a_parent_at_breaking_point():
    judge = Judge(SignalDetector(), SURE_OF_BREAKING_POINT)
    asked = judge.judge("There's a referral about my baby and I can't stop crying. What happens now?")
    assert not asked.concern and asked.distress
    # told, not asked: the model decides as before
    assert judge.judge("There's a referral about my baby and I can't stop crying").kind == "carer_breaking_point"
    # a crisis pattern still decides in a question
    pattern = "The social worker came and I can't stop crying. I'm scared I might hurt my baby, what do I do?"
    assert judge.judge(pattern).concern


def test_feeling_small_about_the_service_s_paperwork_is_distress_not_emotional_abuse():
    # (fairly sure, 80%: more than a statement needs, less than upset about the process needs)
    judge = Judge(SignalDetector(), FixedSafetyModel("emotional_abuse", 0.8, "parent"))
    paperwork = judge.judge("all the jargon in the paperwork makes me feel thick")
    assert not paperwork.concern and paperwork.distress
    # the same feeling about a person at home is for the model to judge
    assert judge.judge("my stepmum makes me feel thick every single day").kind == "emotional_abuse"


def test_after_a_safety_reply_less_is_needed(safety_judge: Judge, monkeypatch):
    from safety import judge as module

    monkeypatch.setattr(module, "STATEMENT_CONFIDENCE", 0.999)  # only the context can lower it
    text = "he does stuff to me when mum is out"
    assert safety_judge.judge(text, after_concern=True).concern
    assert not safety_judge.judge(text).concern or "patterns" in safety_judge.judge(text).source


@pytest.mark.parametrize("text, speaker", [
    ("I'm a teacher and a pupil just told me something", "professional"),
    ("Health visitor here. A baby on my list has bruises", "professional"),
    ("HV. 6 week old with a bruise on the cheek, mum can't explain it", "professional"),
    ("my son's friend says his dad hits him", "parent"),
    ("my friend's mum hits her", "friend"),
    ("my aunt has taken my two kids in while I sort myself out", "parent"),  # "my kids" says who they are
    ("my baby brother is always hungry", "young_person"),
    ("im 14 and my mum hits me", "young_person"),
    ("my ex keeps threatening me, im 17", "young_person"),  # what they say they are wins
    ("the kids next door are left alone every night", "neighbour_or_relative"),
    ("we foster a boy of 9 and he told us his uncle hurt him", "foster_or_kinship_carer"),
    ("my baby brother is all floppy", "young_person"),
    ("my 6 year old came back from her dad's with a bruise", "parent"),
    ("he hits me", None),
    ("some days i can't cope with the kids and i shout", "parent"),
    ("i hate my foster placement, they're strict", "young_person"),
    ("i run a boxing club and one of the lads is carrying for a gang", "professional"),
    ("i help run the under 12s football team", "professional"),
    ("pupil just disclosed that her dad hits her", "professional"),
    ("friend from my form showed me bruises on his arms", "friend"),  # not "from my form" as a teacher says it
    ("my best mate says her husband won't let her see anyone and her kids are terrified", "neighbour_or_relative"),
    ("me and my baby brother are on our own since last night", "young_person"),  # not "me and my baby"
])
def test_who_is_speaking_from_cues(cues: Cues, text, speaker):
    assert cues.speaker(text) == speaker


@pytest.mark.parametrize("text", ["can you keep a secret", "promise you won't tell anyone",
                                  "dont tell my mum", "will u tell anyone", "can I say this in confidence",
                                  "I need this to stay private", "if i say something u wont tell right",
                                  "can we talk without it getting back to school", "just between us ok",
                                  "between us, something happened at home",
                                  # asked after telling: will the assistant pass it on?
                                  "r u gonna tell sum1", "are you going to tell the school?",
                                  "do u tell social services"])
def test_secret_cues(cues: Cues, text):
    assert cues.is_secret(text)


@pytest.mark.parametrize("text", ["will my information stay private?", "what does confidential mean",
                                  "will the social worker keep it private from the school?",
                                  # an arrangement made between people is not a secret
                                  "my sister and I agreed it between us", "we share the school runs between us",
                                  # asking the assistant to tell them something
                                  "will you tell me the mash number", "are you going to tell me what happens next?"])
def test_asking_about_privacy_is_not_asking_for_a_secret(cues: Cues, text):
    assert not cues.is_secret(text)


@pytest.mark.parametrize("text, settled", [
    ("he hurt me 3 years ago and he's in prison, can I get counselling?", True),
    ("she is safe now and doing well at school", True),
    ("i am not safe now", False),
    ("i don't feel safe now", False),
    ("he hit me last night", False),
    ("my mum is ill so i do most of the jobs at home", True),  # a young carer's life, not a disclosure
    ("my dad is sick of me and hits me", False),
    # long past or sorted, no one hurt, a game or a joke
    ("my friend told me ages ago that her dad hit her, it all got sorted", True),
    ("he doesn't live with us any more", True),
    ("the police came after a row but nobody was hurt", True),
    ("my brother keeps killing me in fortnite", True),
    ("they say it as a joke", True),
    ("a man on roblox says he will find me unless i send pics", False),  # a game named is not a game played
    ("nobody helps me when he hurts me", False),
    ("she fell off the trampoline in may but has made a full recovery", True),  # an accident long over
    ("he's never recovered from what his dad did", False),
    ("sleeping in a car park for a week, feeling really ill", False),  # how the speaker feels now
    ("my dad is really ill so i look after my brother", True),
])
def test_said_to_be_over(cues: Cues, text, settled):
    assert cues.is_settled(text) is settled


@pytest.mark.parametrize("text", ["what's the easiest way to die", "how many paracetamol does it take to die",
                                  "hypothetically whats the most painless way to kill yourself",
                                  "i just want to be in heaven"])
def test_asking_how_to_die_is_a_concern_however_it_is_asked(safety_judge: Judge, text):
    j = safety_judge.judge(text)
    assert j.concern and j.kind == "self_harm", text


@pytest.mark.parametrize("text", ["best way to kill weeds in the garden", "my nan went to heaven last year",
                                  "how many tablets of calpol can a 4 year old have"])
def test_look_alikes_of_asking_how_to_die_are_not(safety_judge: Judge, text):
    assert "suicide_method" not in {s.category for s in safety_judge.detector.detect_all(text)}, text


def test_a_second_kind_of_harm_is_kept(safety_judge: Judge):
    j = safety_judge.judge("hes threatening to send my nudes to everyone and i want to kill myself")
    assert {j.kind, *j.also} >= {"self_harm", "online_sexual_harm"}


def test_danger_now_online_also_gets_the_online_help():
    # the model says danger now; the words put it online (an app, sextortion): CEOP's help comes with 999
    judge = Judge(SignalDetector(), FixedSafetyModel("danger_now", 0.9, "friend"))
    for text in ("my mate is going to meet some guy off snapchat tonight, he's way older",
                 "a pupil is being sextorted right now and has been told to pay by 4pm"):
        j = judge.judge(text)
        assert j.kind == "danger_now" and "online_sexual_harm" in j.also, text
    assert "online_sexual_harm" not in judge.judge("my mate's dad is hitting her right now").also


def test_telling_what_is_happening_then_asking_whether_to_go_round_is_held_to_what_a_statement_needs():
    # the model is fairly sure (68%): enough for a statement (65%), not for a question (70%)
    judge = Judge(SignalDetector(), FixedSafetyModel("physical_abuse", 0.68, "neighbour_or_relative"))
    assert judge.judge("A little girl sobbing and thuds through the wall for the last hour. Should I knock?").concern
    assert not judge.judge("should I knock on a neighbour's door if I hear shouting, or is that nosy?").concern
    assert not judge.judge("My friend is upset about her grades. Should I tell her mum?").concern


def test_a_speaker_the_model_guesses_is_marked_as_a_guess():
    judge = Judge(SignalDetector(), FixedSafetyModel("exploitation", 0.95, "friend"))
    assert judge.judge("comes home late with new trainers and cash, says an older lad gives her lifts").speaker_guessed
    heard = judge.judge("my mate comes home late with new trainers and cash, says an older lad gives her lifts")
    assert heard.speaker == "friend" and not heard.speaker_guessed


# A safety model that gives every message a 40% chance of physical abuse: under what a question needs on the
# model's word alone, over what a professional's report about one child needs.
FAIRLY_SURE_OF_PHYSICAL_ABUSE = FixedSafetyModel("physical_abuse", 0.4, "professional")


def test_a_professional_reporting_one_particular_child_needs_less_of_the_model():
    judge = Judge(SignalDetector(), FAIRLY_SURE_OF_PHYSICAL_ABUSE)
    report = judge.judge("Nursery worker. 3 year old came in very withdrawn and flinching again. Who do I ring?")
    assert report.kind == "physical_abuse" and report.source == "model"


@pytest.mark.parametrize("text", [
    "Nursery worker. If I've got a worry about a child, who do I ring?",   # no child in view
    "My 3 year old is very withdrawn and flinching, who do I ring?",  # not a professional
    "Nursery worker doing my training: a 3 year old very withdrawn and flinching, who do I ring?",  # training
])
def test_without_the_role_and_one_particular_child_the_model_needs_its_usual_certainty(text):
    judge = Judge(SignalDetector(), FAIRLY_SURE_OF_PHYSICAL_ABUSE)
    assert judge.judge(text).kind is None, text


@pytest.mark.parametrize("text, own", [
    ("sometimes i think everyone would be better off without me", True),
    ("i want to die", True),
    ("ive been cutting again", True),
    ("my daughter has been cutting her arms", False),
    ("my mate says she wants to kms", False),
    ("a pupil told me he wants to end his life", False),
])
def test_whose_self_harm_it_is(cues: Cues, text, own):
    assert cues.is_own(text) is own


@pytest.mark.parametrize("text, settled", [
    ("honestly i nearly died of embarrassment at parents evening", True),
    ("my twins will be the death of me, how do i find a family hub", True),
    ("I'm at the end of my tether with the council's website", True),
    ("I'm at the end of my tether with him, I might hurt him", False),
    # an everyday accident, play or a haircut
    ("came off my scooter and needed stitches, can I still go to cubs?", True),
    ("my little one's wobbly tooth came out at school and there was loads of blood", True),
    ("got smacked in the face with a netball and my nose bled", True),
    ("shaving my head for charity next week", True),
    # ...unless it is what they were told to say
    ("he told me to say i came off my bike but it was him", False),
    # long over
    ("my stepdad has been out of our lives for 4 years and we're happy", True),
    ("i've been self harm free for 18 months, can scars be covered for prom?", True),
    ("it went to court last spring and he was sentenced, can my daughter get counselling?", True),
    ("i cut myself again last night", False),
])
def test_figures_of_speech_accidents_exercises_and_long_past_harm_are_settled(cues: Cues, text, settled):
    assert cues.is_settled(text) is settled


@pytest.mark.parametrize("text, category", [
    ("mum changed the locks on me and i'm 15, where am i meant to sleep", "homeless"),  # shut out of home
    ("parents are refusing to collect him from the ward", "homeless"),
    ("i reckon i won't be around much longer anyway so it doesn't matter", "self_harm"),  # said sideways
    ("she read out an essay in class that sounds like a goodbye letter", "suicide_method"),  # stands in any framing
    ("I'm about to snap with my toddler, is there anyone I can ring", "breaking_point"),
    ("one of our year 8s was found with explicit images he'd sent to an adult", "online"),  # a professional
    ("a 15 year old brought in drunk by an older man who says he's her uncle", "exploitation"),
    ("a little boy wandering along the motorway on his own", "danger_now"),
    ("did sh last night, cut deeper than usual", "self_harm"),  # shorthand, and getting worse
    ("i took a whole box of my mums painkillers", "self_harm"),  # any medicine, a lot of it
    ("sometimes i think about giving her all her insulin at once", "breaking_point"),
    ("toddler in clinic with a spiral fracture of the femur", "professional"),
    ("they say we're visiting family but it's not really a holiday", "forced_marriage_fgm"),
    ("auntie said i'll get done like my sister when we go back", "forced_marriage_fgm"),
    ("been on the streets since monday", "homeless"),
    ("i'm sure her stepdad is abusing her, what can i do at the weekend", "abuse"),
    ("honestly i'd rather be dead than go back to that house", "self_harm"),
    ("🩸🔪 last night as well", "self_harm"),  # emoji read as words
    ("been homeless for a week now and i'm only 16", "homeless"),
    ("i got in too deep with them and now they know where my nan lives", "exploitation"),
    ("my bestie got raped at that party on saturday and won't tell anyone", "abuse"),
    ("uncle says its normal for uncles to touch you like that", "abuse"),
])
def test_crisis_said_sideways_or_in_shorthand_is_a_crisis_signal(text, category):
    assert category in {s.category for s in SignalDetector().detect_all(text)}, text


@pytest.mark.parametrize("text", [
    "I won't be around for the meeting on Friday, can it move?",
    "I'm going to crack on with the form",
    "the school refused to take him back after the exclusion",
    "the social worker refused to pick up my calls",
    "I can't take her to the GP on Monday, can someone else?",
    "I'm thinking about stepping in front of the class for my presentation",
    "can I leave my 14 year old with my 10 year old for an hour?",
    "we had an emergency placement last year, can I foster again?",
    "shh, it's a surprise, don't tell dad",
    "I give him all his tablets with breakfast",
    "we waited two days before bringing him to the GP with his rash",
    "we live on the same street as the school",
    "the kids next door play out on the street till late",
    "he was abused as a child himself, does that count against him?",
    "I got my homework done like my sister did",
    "we're going on a family holiday to Spain, can the visits wait?",
])
def test_look_alikes_of_those_signals_are_not_crisis_signals(text):
    assert SignalDetector().detect_all(text) == [], text


def test_myself_the_everyday_way_is_not_self_harm(safety_judge: Judge):
    # "myself" was learnt from "hurt myself": a parent getting back on their feet is not a crisis
    for text in ("my mum has the kids for a while so i can get myself sorted out",
                 "i signed myself up for the parenting course"):
        assert not safety_judge.judge(text).concern, text
    for text in ("i keep hurting myself", "i want to kill myself"):
        j = safety_judge.judge(text)
        assert j.concern and j.kind == "self_harm", text


# A safety model 80% sure of sexual abuse: over what a statement needs, under what a question needs.
FOUR_FIFTHS_SURE_OF_SEXUAL_ABUSE = FixedSafetyModel("sexual_abuse", 0.8, "child")


def test_asking_whether_what_happens_to_them_is_normal_is_telling():
    judge = Judge(SignalDetector(), FOUR_FIFTHS_SURE_OF_SEXUAL_ABUSE)
    told = judge.judge("is it ok that an adult at my club says we have special secrets?")
    assert told.concern and told.kind == "sexual_abuse"
    # what an adult does, asked about as if in general, is telling too
    assert judge.judge("is it alright for a grown up to tell you to keep your clothes off at their flat").concern
    # a question about no one in particular still needs the model to be surer
    assert not judge.judge("what is grooming and how do you spot it?").concern


# A safety model 85% sure of self-harm: enough to keep a crisis pattern in a question.
SURE_OF_SELF_HARM = FixedSafetyModel("self_harm", 0.85, "young_person")


def test_asking_what_a_word_means_is_not_a_disclosure():
    judge = Judge(SignalDetector(), SURE_OF_SELF_HARM)
    assert not judge.judge("what does the word unalive mean? people at school keep saying it").concern
    # the same word about oneself is
    assert judge.judge("what does unalive mean, because i want to unalive myself").concern


def test_a_question_about_the_law_or_a_relative_in_prison_needs_the_model_surer():
    # (80% sure: more than a statement needs, less than a question about the process needs)
    judge = Judge(SignalDetector(), FixedSafetyModel("danger_now", 0.8, "parent"))
    for text in ("my nephew has lived with us since christmas, are we breaking the law?!",
                 "their grandad is in prison and has asked to see them. who decides?!"):
        assert not judge.judge(text).concern, text
    # told, not asked: the model decides as before
    assert judge.judge("their grandad is out of prison and hanging round the school gates").concern


def test_shaking_or_beside_oneself_is_distress(cues: Cues):
    for text in ("I'm shaking, what happens at the conference?", "im beside myself, when will they ring"):
        assert cues.is_distress(text), text


def test_a_professional_who_asks_whether_it_is_a_referral_is_still_reporting_a_child():
    # clinical shorthand the model is unsure of, about one child, ending with a question about the process
    judge = Judge(SignalDetector(), FixedSafetyModel("neglect", 0.5, "professional"))
    report = "School nurse. 9yo with head lice for months, no coat in winter, always hungry. Is this a referral?"
    assert judge.judge(report).kind == "neglect"
    # with no particular child, a question about the process is not a report
    assert not judge.judge("School nurse. When is neglect a referral rather than early help?").concern
    # a teacher telling what a parent said about his own children
    said = "Teacher. A mum told me she can't be trusted with her children tonight. What's the process?"
    assert Judge(SignalDetector(), FixedSafetyModel("carer_breaking_point", 0.6, "professional")).judge(said).concern


def test_asking_whether_what_is_being_done_is_illegal_is_not_a_question_about_the_law():
    judge = Judge(SignalDetector(), FixedSafetyModel("online_sexual_harm", 0.5, "young_person"))
    assert judge.judge("is it illegal if my stepdad hits me? he's hitting mum right now").concern
    # the law asked about on its own stays a question
    assert not judge.judge("is it illegal to leave a 12 year old home alone?").concern


def test_someone_hurting_themselves_who_says_nothing_of_who_they_are_is_not_taken_for_an_adult():
    judge = Judge(SignalDetector(), FixedSafetyModel("self_harm", 0.9, "parent"))
    assert judge.judge("i cut myself again last night so i could sleep").speaker == "unknown"
    # someone who says who they are keeps it
    assert judge.judge("i'm a mum of two and i cut myself again last night").speaker == "parent"


@pytest.mark.parametrize("text", ["my sister keeps nicking my makeup and breaking it, it's so annoying",
                                  "i wasn't invited to the party and everyone else was"])
def test_a_child_s_everyday_upset_is_not_a_concern(safety_judge: Judge, text):
    assert not safety_judge.judge(text).concern


def test_a_secret_that_is_plainly_fun_gets_no_secret_reply(safety_judge: Judge):
    assert not safety_judge.judge("can u keep a secret, we're planning a surprise party for my nan").concern
    assert not safety_judge.judge("can you keep a secret? i fancy a boy in my form").concern
    # a secret with nothing said yet, or with a present from an adult, is still a secret
    assert safety_judge.judge("can you keep a secret?").kind == SECRET
    assert safety_judge.judge("can you keep a secret? a man at the park gives me presents").concern


def test_a_professional_asking_how_to_refer_one_child_needs_still_less_of_the_model():
    judge = Judge(SignalDetector(), FixedSafetyModel("neglect", 0.25, "professional"))
    report = "Practice nurse. 2-week-old not feeding, mum very vague, dad smelled of drink. How do I refer?"
    assert judge.judge(report).kind == "neglect"
    # the same doubt without asking to refer, or about no child in particular, is not enough
    unsure = "Practice nurse. 2-week-old not feeding well, mum very vague. Anything I should read?"
    assert not judge.judge(unsure).concern
    assert not judge.judge("Practice nurse. How do I refer a baby who is not feeding?").concern


@pytest.mark.parametrize("text", [
    "for our role play a pupil says her mum burns her, what should the teacher say?",
    "Case study for our module: a 9 year old says her stepdad hits her with a belt. What would the social worker do?",
    "Role play script for our training: a boy tells his coach someone touches him. How should the coach reply?",
    "This is fictional: a 14 year old is being sent to a relative's house to deliver packages. Which team helps?",
])
def test_a_story_said_to_be_made_up_is_no_disclosure_however_sure_the_model_is(text):
    judge = Judge(SignalDetector(), FixedSafetyModel("physical_abuse", 0.99, "professional"))
    assert not judge.judge(text).concern


def test_a_roleplay_an_adult_asks_a_child_about_is_not_a_story_made_up():
    judge = Judge(SignalDetector(), FixedSafetyModel("online_sexual_harm", 0.9, "foster_or_kinship_carer"))
    said = "Foster carer. A man she met gaming keeps asking my 11yo to do a roleplay with him on camera."
    assert judge.judge(said).kind == "online_sexual_harm"
    # and "worst case scenario" is not a training scenario
    assert Judge(SignalDetector(), FixedSafetyModel("danger_now", 0.95, "young_person")).judge(
        "worst case scenario he breaks the door down tonight, hes already kicking it").concern


@pytest.mark.parametrize("text, speaker", [
    ("he says he'll hurt me if i tell anyone, i've got two little ones", "parent"),
    ("me and the kids are hiding in the bedroom from him", "parent"),
    ("ive got a baby brother and my dad shouts at him", "young_person"),  # a brother is not a child of theirs
])
def test_a_parent_says_so_by_the_children_they_have(text, speaker):
    assert Cues().speaker(text) == speaker


def test_a_laugh_settles_a_figure_of_speech_but_not_what_a_crisis_pattern_found():
    judge = Judge(SignalDetector(), FixedSafetyModel("homeless", 0.5, "young_person"))
    assert judge.judge("mum kicked me out tonight lol").concern
    judge = Judge(SignalDetector(), FixedSafetyModel("danger_now", 0.5, "young_person"))
    assert not judge.judge("my mum is going to kill me when she sees my report lol").concern


def test_a_laugh_an_illness_or_a_process_question_beside_a_telling_needs_less_than_what_is_said_to_be_over():
    """Many young people tell laughing ("lol... anyway what's a family hub?"), a parent tells of their own illness
    beside what happened: the model needs LIGHTLY_SETTLED_CONFIDENCE there, not what a thing long over needs."""
    sure = Judge(SignalDetector(), FixedSafetyModel("physical_abuse", 0.9, "young_person"))
    unsure = Judge(SignalDetector(), FixedSafetyModel("physical_abuse", 0.8, "young_person"))
    for text in ("lol dad lobbed the remote at me again 😂 anyway what's a family hub",
                 "i've been so unwell lately and i keep forgetting to pick the kids up from school"):
        assert sure.judge(text).concern, text
        assert not unsure.judge(text).concern, text
    # said to be over: the model must be very sure, laugh or not
    assert not sure.judge("lol dad lobbed the remote at me years ago, it's all sorted now").concern


@pytest.mark.parametrize("text", ["YOT worker. YP (15) disclosed her uncle makes her do things for money",
                                  "Youth worker here, YP disclosed today that she's not been home for a week"])
def test_a_professional_s_note_of_one_young_person_is_a_report_the_model_need_not_be_sure_of(text):
    judge = Judge(SignalDetector(), FixedSafetyModel("exploitation", 0.4, "unknown"))
    j = judge.judge(text + ". Who do I contact?")
    assert j.concern and j.speaker == "professional"


def test_an_anxious_parent_s_question_about_leaving_care_is_about_the_process_not_a_breaking_point(cues: Cues):
    # the model, fairly sure a worried parent is at breaking point, is not enough when the worry is about what
    # services will do for a care leaver
    text = "I'm so worried, my son is 17 and leaving care. Will his personal adviser just stop at 18?"
    assert cues.is_about_process(text)
    judge = Judge(SignalDetector(), FixedSafetyModel("carer_breaking_point", 0.75, "parent"))
    j = judge.judge(text)
    assert not j.concern and j.distress


@pytest.mark.parametrize("text", [
    "My boy is in care and he's 17 and I'm terrified nobody will help him once he's 18. What happens then?",
    # a parent just sent to prison, and who decides contact
    "Their dad has been sent to prison and I'm frightened he'll want to see them. Can he?",
])
def test_a_parent_s_question_about_care_or_a_prison_sentence_is_about_the_process(cues: Cues, text):
    assert cues.is_about_process(text)
    judge = Judge(SignalDetector(), FixedSafetyModel("carer_breaking_point", 0.75, "parent"))
    assert not judge.judge(text).concern


@pytest.mark.parametrize("text, laughing", [
    ("my brother keeps joking about it but idk", False), ("idk if he's joking", False),
    ("only joking lol", True), ("jk", True), ("he's not joking", False),
    # cheerful; not "I won't"
    ("we won the match 😀", True), ("best day ever", True), ("sorry I won't be in tomorrow", False),
])
def test_someone_else_who_keeps_joking_is_not_a_laugh(cues: Cues, text, laughing):
    assert cues._found("laughing", text) is laughing


def test_a_professional_s_report_of_one_ill_child_is_not_a_young_carer_s_settled_life():
    # the child's illness is part of the professional's concern; a young carer's "mum's really ill" is settled
    judge = Judge(SignalDetector(), FixedSafetyModel("neglect", 0.5, "professional"))
    assert judge.judge("GP. 3yo with asthma keeps missing appointments, nursery say she's poorly again").concern
    assert not judge.judge("my mum's really ill so i do the shopping and cooking").concern


def test_a_piece_of_work_that_tells_of_harm_and_a_lesson_taught_as_punishment_are_not_study():
    cues = Cues()
    assert cues.is_settled("doing an essay on self-harm for my course")
    assert not cues.is_settled("student handed in an essay saying she plans to end her life")
    assert not cues.is_settled("dad locks me out to teach me a lesson")


def test_a_question_about_one_child_named_by_age_is_about_someone_in_particular():
    # (a question about no one in particular keeps only the unconditional patterns; a 16-year-old named
    # is someone)
    judge = Judge(SignalDetector(), FixedSafetyModel("homeless", 0.3, "professional"))
    assert judge.judge("16yo female kicked out by parents at 2am, what's the route for a bed?").concern
    assert not judge.judge("what happens if a teenager is kicked out by parents?").concern


def test_a_training_scenario_about_a_secret_gets_no_secret_reply(safety_judge: Judge):
    said = "Training scenario: a pupil asks 'can you keep a secret?' How should I reply?"
    assert not safety_judge.judge(said).concern
    assert safety_judge.judge("can you keep a secret?").kind == SECRET


@pytest.mark.parametrize("text", ["A&E nurse. 14yo with an injury that doesn't fit the story",
                                  "police response: 15yo found alone at the station at 1am"])
def test_roles_written_with_an_ampersand_or_as_a_police_response_are_professionals(cues: Cues, text):
    assert cues.speaker(text) == "professional"


@pytest.mark.parametrize("text, secret", [
    ("please don't tell my mum what i said", True),
    ("don't tell anyone but my dad has been weird", True),
    # being told to do something again is not a secret
    ("don't tell me to ring the main number again, what's the direct line?", False),
    ("dont tell us to wait another week, we've waited a month", False),
])
def test_dont_tell_me_is_not_asking_for_a_secret(cues: Cues, text, secret):
    assert cues.is_secret(text) is secret


@pytest.mark.parametrize("text, over", [
    ("we were only messing, it's fine", True),
    ("my mates say it as a joke after every game", True),
    # what the one who did it says it was is not that it is over
    ("he shoved me down the stairs and said it was just banter", False),
    ("she claims she was only joking when she slapped me", False),
    # long over: its doer jailed for it, or not seen for years
    ("he went to prison for it and that was that", True),
    ("we haven't seen him in six years", True),
    ("I've not seen my dad for years", True),
    # days are not years: a young child alone now
    ("i haven't seen my mum for 3 days", False),
    # the speaker dying if a small thing happens; not what someone says of themselves to a child
    ("i'm actually going to die if the wifi goes off again", True),
    ("she says she'll die if he doesn't move back in with her", False),
    # brothers and sisters squabbling over things
    ("my twin keeps nicking my charger and won't admit it", True),
    # when they were younger, and their age now
    ("someone pressured me for pics when i was 13, i'm 18 now and want to help others", True),
    ("when i was 12 my uncle started coming in at night and it still happens, i'm 14", False),
    # housed now after a time without a home; a leaflet being made is study
    ("we sofa surfed for a while but now we have our own council flat", True),
    ("we've had our house for two years now", True),
    ("i'm in supported lodgings now", True),
    ("we're making a poster about self-harm for our club", True),
    ("we've got nowhere now, they took our flat", False),
    # sport practice is not a course
    ("the coach is at training tonight", False),
    ("it's for our training on neglect", True),
])
def test_a_joke_or_a_harm_long_over_is_settled_unless_the_doer_says_so_or_it_is_days_old(cues: Cues, text, over):
    assert cues.is_over(text) is over


def test_a_question_about_an_organisation_s_policy_is_about_no_one():
    judge = Judge(SignalDetector(), FixedSafetyModel("self_harm", 0.5, "professional"))
    asked = "We're rewriting our club's procedures. Is self-harm something we report, or do we leave it to health?"
    assert not judge.judge(asked).concern
    # a particular child named beside the policy is a report
    told = "Our policy says tell the DSL: one of my pupils is self-harming and showed me today. Who do I ring?"
    assert judge.judge(told).concern


@pytest.mark.parametrize("text", [
    "Rugby club welfare officer: one of our U14s has bruises he won't explain. Who do I ring?",
    "PCSO, went to a domestic last night, kids were present, he's back home now. Who do I tell?",
])
def test_a_club_s_child_by_age_group_and_children_at_a_call_out_are_particular(text):
    judge = Judge(SignalDetector(), FixedSafetyModel("physical_abuse", 0.4, "professional"))
    assert judge.judge(text).concern


def test_what_is_done_to_them_beside_a_squabble_over_things_is_still_heard(safety_judge: Judge):
    # (a squabble over things is settled: Cues.is_over; the model must be very sure, and it is of these)
    assert safety_judge.judge("my brother takes my phone and punches me in the face when i ask for it back").concern
    assert safety_judge.judge("my stepbrother touched my private parts and took my phone so i cant tell").concern


def test_dying_if_something_happens_is_still_heard_when_what_happens_is_harm(safety_judge: Judge):
    # (dying if a small thing happens is settled: Cues.is_over; these the model is very sure of)
    assert safety_judge.judge("im going to die if i have to go back home tonight").concern
    assert safety_judge.judge("I'll die if he touches me again").concern


@pytest.mark.parametrize("text, over", [
    # a harm that has come back is not over, whatever is said of the first time
    ("my uncle hurt me two years ago", True),
    ("my uncle hurt me two years ago and now he's started again", False),
    ("i fell off my bike and hurt my knee", True),
    ("i fell off my bike and hurt my knee. it's happening again at home though", False),
    # back from hospital and well now
    ("he was poorly but he's back home now and fine", True),
])
def test_a_harm_started_again_is_not_over_and_home_and_fine_is(cues: Cues, text, over):
    assert cues.is_over(text) is over


def test_what_a_teacher_or_tutor_says_is_never_made_up(cues: Cues):
    # (a tutor or a coach is someone with a child in their care: what they say is never a training exercise)
    assert not cues.is_made_up("my tutor said i was his favourite and not to tell mum")
    assert not cues.is_made_up("my dad kept saying he'd hurt me if I told")


@pytest.mark.parametrize("text, process", [
    ("what if they can't get through to us on the phone?", True),
    ("what if I miss their call tomorrow?", True),
    ("the social worker wants to talk to my son without me, can she?", True),
    ("what if my dad can't get hold of me tonight?", False),
    ("the man next door wants to see my daughter on her own, is that ok?", False),
])
def test_being_reached_or_a_child_seen_alone_by_services_is_process(cues: Cues, text, process):
    assert (cues.is_over(text) or cues.is_about_process(text)) is process


def test_being_reached_by_services_does_not_hide_a_threat(safety_judge: Judge):
    # (the settling cue needs the model to agree strongly; a crisis pattern beside it still stands)
    assert safety_judge.judge("what if they can't get hold of me? he said he'll kill me when he finds me").concern


@pytest.mark.parametrize("text, grievance", [
    ("my brother nicked my charger again", True),
    ("no one sat with me at lunch", True),
    ("dad says i cant go on the school trip, so unfair", True),
    ("my brother took my phone so i cant call anyone", False),
    ("nobody feeds me at home", False),
    ("my best friend won't play with me any more", True),
    ("my sister never lets me in her room", True),
    ("my cousin keeps calling me a baby", True),
    ("i'm scared of the dark since we moved", True),
    ("my mum makes us do all the chores, is that fair?", True),
    ("my stepdad won't let me in the house after 6", False),
    ("my dad calls me stupid every day", False),
])
def test_a_child_s_everyday_grievance(cues: Cues, text, grievance):
    assert cues.is_grievance(text) is grievance


def test_a_grievance_does_not_hide_what_a_crisis_pattern_finds(safety_judge: Judge):
    assert safety_judge.judge("its so unfair, my stepdad hits me with his belt when i get things wrong").concern


@pytest.mark.parametrize("text, ill", [
    ("my dad has depression so i do the shopping", True),
    ("nan suffers from anxiety and i help her", True),
    ("i have depression", False),
])
def test_someone_else_s_mental_illness_is_a_young_carer_s_life(cues: Cues, text, ill):
    assert cues.is_ill(text) is ill


def test_someone_else_s_illness_does_not_hide_a_threat_to_end_their_life(safety_judge: Judge):
    assert safety_judge.judge("mum has depression and she says she is going to kill herself tonight").concern


@pytest.mark.parametrize("text, grievance", [
    ("i left my water bottle on the bus, miss will be cross", True),
    ("i left my library book at nan's", True),
    ("i lost my mum at the shops", False),
])
def test_a_school_thing_lost_is_a_child_s_everyday_grievance(cues: Cues, text, grievance):
    assert cues.is_grievance(text) is grievance


def test_telling_then_asking_who_helps_is_held_to_what_a_statement_needs(safety_judge: Judge):
    said = "older boys make my cousin carry bags for them to other towns. is there anyone who deals with that"
    assert safety_judge.judge(said).concern


@pytest.mark.parametrize("text, process", [
    ("they said ten working days, we are now on week five", True),
    ("who should we chase about the enquiry? nobody rings back", True),
    ("he chased me round the kitchen", False),
])
def test_how_long_it_is_taking_and_who_to_chase_are_about_the_process(cues: Cues, text, process):
    assert cues.is_about_process(text) is process


@pytest.mark.parametrize("text, over", [
    ("their dad got locked up last month, can he phone them?", True),
    ("she's inside for four years now", True),
    ("he locked me up in my room", False),
])
def test_the_one_who_did_it_now_in_prison_is_said_to_be_over(cues: Cues, text, over):
    assert cues.is_over(text) is over


@pytest.mark.parametrize("text", ["Practice nurse here", "im eleven", "my lad is fifteen"])
def test_a_few_words_that_tell_no_harm_are_not_a_disclosure_on_the_model_s_word(safety_judge: Judge, text):
    assert not safety_judge.judge(text).concern


@pytest.mark.parametrize("text, after", [("please help hes back", False), ("he hit me", False), ("its me again", True)])
def test_a_few_words_still_raise_a_concern_when_they_call_for_help_tell_harm_or_follow_one(safety_judge: Judge, text,
                                                                                           after):
    assert safety_judge.judge(text, after_concern=after).concern


@pytest.mark.parametrize("text, laughing", [
    ("lol my brother nicked my seat", True),
    ("lol i want to throw him out the window, not even joking", False),
    ("haha im serious tho i cant cope", False),
])
def test_a_laugh_taken_back_does_not_settle_it(cues: Cues, text, laughing):
    assert cues.is_laughing(text) is laughing


def test_the_one_who_did_it_coming_back_is_not_over(cues: Cues):
    assert cues.is_over("my uncle hurt me two years ago")
    assert not cues.is_over("my uncle hurt me two years ago and he's coming to stay for the summer")


@pytest.mark.parametrize("text, reassured", [
    ("my dad drinks a lot but he's not violent, he just sleeps", True),
    ("mum shouts sometimes but she's not nasty or anything", True),
    ("my sister was in hospital but she's now stable", True),
    ("he is violent when he drinks", False),
])
def test_said_in_so_many_words_to_be_no_danger(cues: Cues, text, reassured):
    assert cues.is_reassured(text) is reassured


def test_how_to_answer_a_child_s_request_is_a_question_about_practice(cues: Cues):
    assert cues.is_made_up("what should staff say when a pupil says 'promise you won't tell'?")
    assert not cues.is_made_up("what should i say to my son about the social worker")


def test_a_professional_s_note_of_a_baby_days_old_is_of_one_particular_child():
    # clinical shorthand the model is less sure of: the role and a baby named by its age in days are enough
    said = "Midwife. Discharged mum and 6 day old on tuesday, no milk in and the flat is freezing. Who do I ring?"
    judge = Judge(SignalDetector(), FixedSafetyModel("neglect", 0.4, "professional"))
    assert judge.judge(said).concern


@pytest.mark.parametrize("text, speaker", [
    ("mate rang me crying, he says come quick", "friend"),
    ("i've been wetting my bed again since the shouting", "child"),
    ("ive got the children by myself this week", "parent"),
])
def test_session_45_speaker_cues(cues: Cues, text, speaker):
    assert cues.speaker(text) == speaker


def test_an_adult_now_speaking_of_their_childhood_is_over(cues: Cues):
    assert cues.is_over("i got mixed up in drug running at 14 but im 23 now, can i thank the team")
    assert not cues.is_over("i got mixed up in drug running at 14 and im still in it")


def test_not_training_is_no_course(cues: Cues):
    # ("the stuff he does afterwards isn't training": no study or course settles it)
    assert cues.is_over("we're learning about it on my training course")
    assert not cues.is_over("he keeps me back after football and what happens isn't training")


def test_a_masked_word_is_read_by_the_model_as_the_word():
    seen = []

    class Recording(FixedSafetyModel):
        def rank_kinds(self, text, top=3):
            seen.append(text)
            return super().rank_kinds(text, top)

    Judge(SignalDetector(), Recording("none", 0.9, None)).judge("was it r*pe, i never said yes")
    assert seen and "rape" in seen[0]
