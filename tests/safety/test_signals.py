"""The crisis patterns and how they combine with the NLU intent."""
from __future__ import annotations

import pytest
import yaml

from safety.signals import PATTERNS_FILE, PatternError, SignalDetector


@pytest.fixture(scope="module")
def detector() -> SignalDetector:
    return SignalDetector()


@pytest.mark.parametrize("text, category", [
    ("he's hitting mum right now", "danger_now"),
    ("his insulin ran out last week and his dad still hasn't got any more", "abuse"),
    ("she says she won't be coming home and to tell her brother goodbye", "self_harm"),
    ("ive got a rope under my bed", "self_harm"),
    ("he chokes me when we fight and says it's banter until i nearly black out", "abuse"),
    ("im hidin in the bathroom, hes smashing stuff", "danger_now"),
    ("she wont wake up", "danger_now"),
    ("ma step dad batters me", "abuse"),
    ("my uncle touches me and says its our secret", "abuse"),
    ("i dont want to be alive", "self_harm"),
    ("i necked a whole packet of tablets", "self_harm"),
    ("he says he will post my nudes unless i pay him", "online"),
    ("older lads make me carry drugs to other towns", "exploitation"),
    ("dad chucked me out, got nowhere to sleep", "homeless"),
    ("a girl in my class just told me her stepdad hurts her", "professional"),
    ("mum got taken away by the police and the little ones are home alone", "abuse"),
    ("the toddler has been left alone all day", "abuse"),
    ("he pinned her against the door again", "danger_now"),
    ("my brother grabs me by the neck", "danger_now"),
    ("theyre sharing round a video of her from the party", "online"),
    ("a man keeps telling my daughter to undress on camera", "online"),
    ("been having unalive thoughts", "self_harm"),
    ("found a ligature in her room", "self_harm"),
    ("the baby has unexplained bruising again", "professional"),
    ("her injuries are not consistent with falling off a bike", "professional"),
    ("same dirty uniform every day this term and he's always tired", "professional"),
    ("she has been taking food out of the bins at lunch", "professional"),
    ("her new boyfriend has a conviction for abusing children", "abuse"),
    ("their dad turned up drunk to pick them up from school", "abuse"),
    ("my nan pinches my arms so hard it bruises", "abuse"),
    ("the woman upstairs leaves her baby on its own all evening", "abuse"),
    ("two year 9 girls went to a flat with some older men", "exploitation"),
    ("how many can i swallow before it starts to hurt me", "suicide_method"),
    ("come and take her, i cant have her in the house any more", "breaking_point"),
    ("i'm not safe to be around the baby today", "breaking_point"),
    ("he holds a pillow over my face to shut me up", "abuse"),
    ("their stepdad belittles her in front of everyone every day", "abuse"),
    ("the little boy flinches whenever his dad moves", "abuse"),
    ("my uncle touched me inappropriately at christmas", "abuse"),
    ("police stopped him with wraps and two phones", "exploitation"),
    ("my placement broke down and i've got nowhere", "homeless"),
    ("burns on both hands and no explanation from mum", "professional"),
    ("what's even the point anymore", "self_harm"), ("what is the point of me", "self_harm"),
    # words between the hands and the neck; a young child who swallowed something that can kill
    ("mum's boyfriend puts both his hands right round her neck", "danger_now"),
    ("my little girl has just swallowed a dishwasher pod i think", "danger_now"),
    ("the baby drank some of the bleach", "danger_now"),
    # how much of a medicine is too much; somewhere to go tonight; pictures of hurting a baby that keep coming
    ("how many ibuprofen would be too many", "suicide_method"),
    ("we left with nothing, where do we sleep tonight", "homeless"),
    ("i keep seeing myself dropping the baby down the stairs", "breaking_point"),
    # up high and crying; shut in with pills
    ("my cousin is on the railings of the bridge crying his eyes out", "self_harm"),
    ("he's locked himself in the shed with all of his tablets", "self_harm"),
    # marks left; a cutter coming
    ("her stepdad slapped her so hard it left a mark on her cheek", "abuse"),
    ("my aunt says the cutter is coming from abroad in the holidays", "forced_marriage_fgm"),
    # held under water; a child of 11 in charge; afraid of it again for telling; how much before the body gives out;
    # words scratched into the skin
    ("my stepdad held my head under the water in the bath cos i was cheeky", "abuse"),
    ("my brother is looking after me and my sister but he is only 11, mum went away for the weekend", "abuse"),
    ("if dad finds out that i told the teacher he will do it again", "abuse"),
    ("how many can you take till your kidneys pack in", "suicide_method"),
    ("ive been scratching numbers into my arm with a pin", "self_harm"),
    # choked with the speaker the one choked; hurt where it won't show; worse next time; clothes pulled down;
    # touching passed off as a massage; a pupil's disclosure just now; a carer who hates the child; an older
    # man met online coming to fetch a young person
    ("my step brother who is 19 choked me in my room", "abuse"),
    ("she only pinches me in places nobody will see", "abuse"),
    ("dad said next time it'll be much worse", "abuse"),
    ("the older girl pulled my pants down in the toilets", "abuse"),
    ("his swimming coach gives him massages that go too far", "abuse"),
    ("student has just disclosed being touched by her uncle", "professional"),
    ("i think i hate the little girl we're looking after", "breaking_point"),
    ("the guy i've been chatting to online says he's coming up on the train to meet me", "online"),
    # not being here for the exams, said sideways; a parent picturing a crash with the children, afraid of
    # what they will do, holding a toddler down hard; a family living in a car; kept in until marks fade; a
    # parent who spends everything on drink
    ("my friend keeps saying she won't be here for her exams anyway", "self_harm"),
    ("whatever. not gonna be around much longer anyway", "self_harm"),
    ("i keep thinking about driving the kids off the bridge", "breaking_point"),
    ("take them tonight before i do something stupid", "breaking_point"),
    ("i pinned my son down really hard when he kicked off", "breaking_point"),
    ("me and the kids have been sleeping in the car for a fortnight", "homeless"),
    ("i have to stay off school until the bruises heal", "abuse"),
    ("dad spent all the money on booze again and there's no food", "abuse"),
    # small children alone by a main road; an adult who says the child will be punished for telling; sexual
    # things done to a child, or put in their mouth; filmed crying for others to see; a young person named as
    # exploited; FGM feared as near; a carer who cannot care for the children tonight
    ("3 kids, the little ones, walking down the dual carriageway on their own", "danger_now"),
    ("my stepdad told me if i ever tell anyone he will put me in care", "abuse"),
    ("she told her nan about rude things done to her at her dad's", "sexual_abuse"),
    ("my son said the man put his thing in his mouth", "sexual_abuse"),
    ("dad videos me crying when i get told off and sends it to the family chat", "abuse"),
    ("we think our daughter is being criminally exploited", "exploitation"),
    ("school nurse, worried about imminent FGM for a year 6 girl", "forced_marriage_fgm"),
    ("my aunt is taking my cousin abroad to get her cut", "forced_marriage_fgm"),
    ("i can't look after the children tonight, i'm done", "breaking_point"),
    # homeless from today, out on the street; how many tablets it would take; "the procedure" done abroad; an
    # engagement the young person did not agree to (with "didn't" read as "not")
    ("basically homeless from today, my uncle kicked off", "homeless"),
    ("the landlord changed the locks and we're out on the street", "homeless"),
    ("how many pills would it take honestly", "suicide_method"),
    ("nurse: says her daughter got the cutting done overseas in the summer", "forced_marriage_fgm"),
    ("my parents arranged a wedding i didn't agree to", "forced_marriage_fgm"),
    ("my cousin said to tuck a spoon in my knickers when we fly out", "forced_marriage_fgm"),
    ("who gets my phone and stuff after i die", "self_harm"),
    ("the voices are saying things about my son again", "breaking_point"),
    ("an older bloke booked into a room with a girl who can't be more than 13", "exploitation"),
    ("HV: mum says the family have booked flights for the girls' cutting in the summer", "forced_marriage_fgm"),
    # coming into a child's room at night or to touch; held in a headlock until they black out
    ("my mum's boyfriend comes in my room at night when she's on nights", "abuse"),
    ("he keeps coming into my bed", "abuse"),
    ("my uncle put me in a headlock until i nearly blacked out", "abuse"),
])
def test_crisis_messages_are_caught(detector, text, category):
    signal = detector.detect(text)
    assert signal is not None and signal.category == category, signal


@pytest.mark.parametrize("text", [
    "what does significant harm mean",
    "my inhaler ran out so can I get another one from the GP without my mum",
    "he sent a text to tell his sister sorry for missing her party",
    "my dad isn't coming back from the army till june, i love him",
    "sorry I can't come back to the chat later, bye",
    "i have a skipping rope in my bag for PE", "we have a rope swing in the garden",
    "is the choking game where kids make themselves pass out dangerous?",
    "when is the review child protection conference",
    "what does the Horizon team do about exploitation",
    "will the police interview my child in a section 47 enquiry",
    "how do I complain about my social worker",
    "is early help voluntary",
    "who do I call if I am worried about a child",
    "is it legal to leave kids home alone",
    "how do I strip the wallpaper in my sons room",
    "the teacher told them to get changed for PE",
    "can a child with a parent in prison get support",
    "does a criminal record stop me fostering",
    "i worked so hard on my complaint letter",
    "how do I teach my child about inappropriate touching",
    "what happens when a foster placement ends",
    "what's the point of trying, they've made their minds up about us",
    # look-alikes of the patterns above
    "we hold our breath and put our heads under the water at the pool",
    "the teacher is looking after us but she is only here till friday",
    "if mum finds out i told my friend about the party she will be so annoyed",
    "paracetamol is bad for your liver if you take too much, how much can i give my 4 year old",
    "he scratched his arm on a nail at the park",
    "the nurse cut into the cast on his arm",
    # everyday phrases with a harm word; a subject, not someone on it; a disclosure long dealt with
    "how do i cut down the hours my son spends gaming",
    "we need to cut back on screen time",
    "how can i cut back my daughter's phone time",
    "doing a school project on county lines",
    "a pupil disclosed abuse last year and the case is closed now",
    "my mate choked on a crisp at lunch",
    # look-alikes of the new patterns: someone away for a while, a night in the car on a trip, another task
    # first, a baby held still for a nappy, spending on a treat
    "my dad won't be here for christmas, he's working abroad",
    "the social worker won't be here tomorrow, she's on leave",
    "we slept in the car on the way to cornwall",
    # look-alikes of this session's patterns: telling about a present, a question about who can be exploited,
    # a babysitter who is busy, a baby's dummy
    "mum said if i tell dad about his birthday present she'll be cross",
    "can boys be sexually exploited too?",
    "my sister asked if i could babysit but i can't tonight",
    "the baby keeps putting his dummy in his mouth",
    "i need to finish this before i do something else",
    # look-alikes of the session-38 patterns: a spoon in a jar, stuff after a move, a smart speaker, a family
    # checking in at a hotel
    "put a spoon in the jam jar", "can babies use a spoon at 6 months",
    "what happens to my stuff when i move to my nans", "wot happens to ur stuff wen u go into care",
    "the voice assistant keeps telling my kids jokes",
    "we checked in with the kids at the hotel", "the man at reception checked us into a room with the kids",
    "hold the baby down gently while you change the nappy",
    "we spent all our money on the holiday",
    # look-alikes of this session's patterns: children out playing in the street, a medical procedure, an
    # engagement the family is happy about, tablets for a headache
    "the kids next door are out on the street playing football till 8",
    "my daughter had the procedure on her knee last week",
    "my sister got engaged and we all agree he's lovely",
    "how many tablets can my 10 year old take for a headache",
    # doing well ("killed it"); plans cancelled, then a question
    "absolutely killed it in the match today, what's a family hub",
    "she always has to cancel plans. how do i help her",
    # look-alikes of session 39's pattern: training booked on FGM, a trip planned for a haircut
    "we've booked the whole staff team onto training for fgm awareness",
    "planning a trip to town for a haircut and cutting his fringe",
    # a brother or sister who comes into the room to borrow or take things
    "my sister keeps coming in my room and borrowing my hairbrush without asking",
])
def test_questions_about_topics_are_not_crises(detector, text):
    assert detector.detect(text) is None


def test_normalise_maps_text_speak_and_lemmas(detector):
    assert detector.normalise("sum1 is hittin me rn") == ["someone", "be", "hit", "me", "now"]


def test_a_not_with_an_apostrophe_is_read_as_not(detector):
    assert detector.normalise("he didn't come home") == detector.normalise("he didnt come home") == \
        ["he", "not", "come", "home"]
    assert detector.normalise("she wasn't there") == ["she", "not", "there"]


def test_priority_danger_beats_abuse(detector):
    assert detector.detect("my dad hits me and hes got a knife now").category == "danger_now"


def test_bad_pattern_file_is_refused(tmp_path):
    spec = yaml.safe_load(PATTERNS_FILE.read_text())
    spec["categories"]["abuse"].append("{nosuchgroup} me")
    bad = tmp_path / "patterns.yml"
    bad.write_text(yaml.safe_dump(spec))
    with pytest.raises(PatternError, match="nosuchgroup"):
        SignalDetector(bad)


@pytest.mark.parametrize("text, question", [
    ("is there suicide prevention training for staff", True), ("what counts as neglect?", True),
    ("wot is a cp plan", True), ("i keep planning how to do it", False), ("my dad hits me", False),
    ("we got a letter today, what does it mean for us", True), ("i cant go home and he is angry", False),
    # despair in a question's shape is said, not asked; a question about what something is for is asked
    ("what even is the point anymore", False), ("whats the point of me", False),
    ("what's the point of a core group?", True), ("what's the point in the review if nothing changes?", True),
    ("and who decides that?!", True),
    # a question clause that asks why something cannot be
    ("they said no to the meeting. why can't we go to it", True), ("i can't sleep, he won't stop", False),
    # "is there..." after a full stop asks, with or without its question mark
    ("some men keep giving my cousin free stuff. is there a service for this", True),
    ("i went home. there was nobody in", False),
])
def test_is_question(text, question):
    from safety.signals import is_question

    assert is_question(text) is question


def test_a_group_alternative_of_more_than_one_word_is_refused(tmp_path):
    spec = yaml.safe_load(PATTERNS_FILE.read_text())
    spec["groups"]["harm"] += "|hold down"  # would never match: patterns are matched word by word
    bad = tmp_path / "patterns.yml"
    bad.write_text(yaml.safe_dump(spec))
    with pytest.raises(PatternError, match="hold down"):
        SignalDetector(bad)


@pytest.mark.parametrize("text, category", [
    ("i cant keep the baby safe from me tonight", "breaking_point"),
    ("im scared i might lash out at my son", "breaking_point"),
    ("i keep having thoughts about smothering him", "breaking_point"),
    ("she said she has a plan for both of us", "breaking_point"),
    ("i dont see the point in being around much longer", "self_harm"),
    ("written notes for my family and put them in my drawer", "self_harm"),
    ("does taking a whole packet of paracetamol hurt", "suicide_method"),
    ("my uncle does stuff to me when mum is at work", "abuse"),
    ("her boyfriend strangled her in front of the baby", "abuse"),
    ("the toddler has untreated sores on his legs", "abuse"),
    ("they filmed me when i was changing and sent it round", "online"),
    ("i had fgm done years ago and my aunt wants the cutting done to my little sister", "forced_marriage_fgm"),
    ("the landlord says we have until tonight to get out", "homeless"),
])
def test_session_30_crisis_wordings(detector, text, category):
    assert category in [s.category for s in detector.detect_all(text)]


@pytest.mark.parametrize("text", [
    "i wrote a letter to my family about the party",
    "my mum does stuff to help me with homework",
    "we smashed it and left the pitch at 5",
    "the match was a scenario we practised",
])
def test_session_30_look_alikes_raise_nothing(detector, text):
    assert not detector.detect_all(text)


@pytest.mark.parametrize("text, category", [
    ("her boyfriend broke my wrist and i told everyone i fell", "abuse"),
    ("the rows got so bad that mum ended up in a&e", "abuse"),
    ("got a new phone off a guy i met in town and now he wants me to take a bag somewhere", "exploitation"),
    ("how do i say no to the marriage my parents arranged", "forced_marriage_fgm"),
])
def test_session_41_crisis_wordings(detector, text, category):
    assert category in [s.category for s in detector.detect_all(text)]


@pytest.mark.parametrize("text", [
    "my brother broke my headphones",
    "mum broke her wrist so i help more",
    "got a new phone off my nan for christmas",
    "how do i say no to being a bridesmaid",
])
def test_session_41_look_alikes_raise_nothing(detector, text):
    assert not detector.detect_all(text)


@pytest.mark.parametrize("text, category", [
    ("the man who runs the club stamped on my fingers when i was slow", "abuse"),
    ("she did that thing again with the lighter on my leg", "abuse"),
    ("dad held his cigarette against my hand", "abuse"),
    ("my step brother has done things to me since i was six", "sexual_abuse"),
    ("how many of dad's heart tablets would it take", "suicide_method"),
])
def test_session_42_crisis_wordings(detector, text, category):
    assert category in [s.category for s in detector.detect_all(text)]


@pytest.mark.parametrize("text", [
    "my sister shone the light on my face to wake me up",
    "dad put the light on my side of the room",
    "i stamped on a spider in the kitchen",
    "my mum has done the school run since i was five",
    "how many tablets do i take for a headache",
])
def test_session_42_look_alikes_raise_nothing(detector, text):
    assert not detector.detect_all(text)


@pytest.mark.parametrize("text, category", [
    ("my brother's mate shoved my sister down the stairs", "injury"),
    ("he threw my mum through the kitchen window haha", "injury"),
    ("my mate messaged from the railway saying bye forever", "self_harm"),
    ("did it again and deeper this time", "self_harm"),
    ("it needs stitches but i'm not telling anyone", "self_harm"),
    ("I picture throwing him off the balcony", "breaking_point"),
    ("someone says her photos ended up on a dodgy site", "online"),
    ("we sleep in the van now since the eviction", "homeless"),
    ("the tutor's hands wander where they shouldnt", "sexual_abuse"),
])
def test_session_43_crisis_wordings(detector, text, category):
    assert category in [s.category for s in detector.detect_all(text)]


@pytest.mark.parametrize("text", [
    "we walked down the stairs to the hall",
    "the window cleaner put his ladder through the gap",
    "bye! I'm off to the bridge club with nan",
    "my pics are on insta",
    "we stayed in a tent on holiday",
    "where do the forms go when they're done",
    "i needed stitches after football",
])
def test_session_43_look_alikes_raise_nothing(detector, text):
    assert not detector.detect_all(text)


def test_laughing_off_violence_that_injures_does_not_settle_it(safety_judge):
    said = "lol xmas went great, my uncle pushed my aunt through the patio door haha classic"
    assert safety_judge.judge(said).concern


@pytest.mark.parametrize("text, category", [
    ("can i cover the blue marks on my legs", "injury"),
    ("how long till the black patches fade, we have PE monday", "injury"),
    ("i gave my cat away to my cousin yesterday and i wont need my phone", "self_harm"),
    ("i hate staying at nan's because of what grandad did in the bath", "abuse"),
    ("she never wants to stay over because of what he did there", "abuse"),
])
def test_session_44_crisis_wordings(detector, text, category):
    assert category in [s.category for s in detector.detect_all(text)]


@pytest.mark.parametrize("text", [
    "my hair has blue bits in it now",
    "we took our dog to the vet",
    "is the suicide squad film ok for my 11 year old",
    "what does he do at the family hub",
])
def test_session_44_look_alikes_raise_nothing(detector, text):
    assert not detector.detect_all(text)


@pytest.mark.parametrize("text, category", [
    ("mum never does it where teachers would see", "abuse"),
    ("if i forget my chores i get the belt", "abuse"),
    ("i got beaten by my stepdad again last night", "abuse"),
    ("dad refuses to take my sister to the dentist though her tooth is black", "abuse"),
    ("my partner sent me to a&e on saturday", "domestic_abuse"),
    ("she's wrapped a phone charger around her neck", "self_harm"),
    ("he swallowed stuff from the shed and refuses to say what it was", "self_harm"),
    ("my son says he wanna be with his grandad who died", "self_harm"),
    ("i'm wasted and have the toddler on my own tonight", "breaking_point"),
    ("my uncle r*ped me", "abuse"),
])
def test_session_45_crisis_wordings(detector, text, category):
    assert category in [s.category for s in detector.detect_all(text)]


@pytest.mark.parametrize("text", [
    "the teacher never hits the ball where anyone can catch it",
    "we get the bus to school",
    "my dad took me to the doctor for my ears",
    "he'd like to visit his nan who lives in leeds",
    "my partner sent me to the hospital shop for snacks",
    "e*mail me the form",
])
def test_session_45_look_alikes_raise_nothing(detector, text):
    assert not detector.detect_all(text)


def test_a_masked_word_is_read_as_the_word_when_one_fits(detector):
    assert detector.unmask("was it r*pe then") == "was it rape then"
    assert detector.unmask("thinking about su**ide") == "thinking about suicide"
    # (a word that fits no listed word, or more than one, stays as it was)
    assert detector.unmask("rock_n_roll and a*b") == "rock_n_roll and a*b"


@pytest.mark.parametrize("text, caught", [("my nan says she doesnt want me", True),
                                          ("my nan doesnt want me to stay up late", False)])
def test_a_pattern_may_say_what_must_not_follow_it(detector, text, caught):
    # ("!to": being unwanted is rejection; not wanting someone to do something is not)
    assert bool(detector.detect_all(text)) is caught
