"""shipped rules: generic web words used in passing no longer flag state bills (December 2026)

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-07

Policy staff saw state bills every morning under topics they are not about, flagged on words that name the
internet or technology as the means of something else: California AB 831, an online sweepstakes bill ("an
internet website or an online application"), as broadband; Mississippi's airport Internet sales, Internet
traffic courses and police video cameras as broadband; reports made available online as online safety; the
Department of Information Technology Services as a startups and R&D bill; and, federally, bills on the "Xinjiang
Uyghur Autonomous Region" as AI. The rules change as tracker/topics.yaml now ships them (docs/benchmarks.md,
"State and city flags"): broadband's "internet" no longer counts when the bill names it only as a website, a
sale, a course or a registration on or via the internet, its "online", "virtual" and "video" weigh 0.9 in a title
and "video" does not count for cameras and recordings, gambling titles are vetoed for broadband (online gambling
is e-commerce's, internet voting cybersecurity's); online safety's "online"/"digital" and startups' "technology"/
"innovation" weigh less in a summary; cybersecurity's "information technology" does not count for an Information
Technology Services department, nor startups' words for school "Districts of Innovation"; the AI topic's
"autonomous" does not count for an autonomous region.

A database made by an earlier version holds the old rules: each is replaced only where it is still exactly as
shipped, and the new rules are added unless the topic has them (``tracker.migrations.shipped_rules``); `tracker
db upgrade` then says which stored matches predate the rules (`tracker topics rescore`) and which shipped rules
the database lacks because staff edited them. No schema change; the downgrade leaves the rules as they are, as
0022's and 0030's do: staff may have edited them since, and the old rules were the noise.
"""
# ruff: noqa: E501  (the rules are data, each written as tracker/topics.yaml has it)
from collections.abc import Sequence

from alembic import op

from tracker.migrations.shipped_rules import Add, NewRule, Replace, apply_shipped_rules

revision: str = '0036'
down_revision: str | None = '0035'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHANGES: list[Replace | Add] = [
    Replace('ai', ('algorithm* OR "biometric identification" OR "predictive analytic*" OR "computer vision" OR "natural language processing" OR (automated AND NOT ("external defibrillator*" OR (automated NEAR/4 (camera* OR photo* OR photographic OR enforcement)))) OR robot* OR autonomous', 1.5), (
        NewRule('algorithm* OR "biometric identification" OR "predictive analytic*" OR "computer vision" OR "natural language processing" OR (automated AND NOT ("external defibrillator*" OR (automated NEAR/4 (camera* OR photo* OR photographic OR enforcement)))) OR robot* OR (autonomous AND NOT ("autonomous region*" OR "autonomous oblast" OR "autonomous communit*"))', 1.5, '"autonomous" does not count in a bill that names an autonomous region (the Xinjiang Uyghur Autonomous Region flagged bills on forced labor and the Uyghurs as AI bills).\n"automated" does not count for a bill about automated external defibrillators or automated traffic enforcement cameras (school bus, speed, red light): state bills say "automated" for those in their titles, which flagged them as AI.'),
    )),
    Replace('cybersecurity', ('scam* OR "information technology" OR "information system*" OR "electronic records" OR "electronic health record*"', 1.0), (
        NewRule('scam* OR ("information technology" AND NOT "information technology services") OR "information system*" OR "electronic records" OR "electronic health record*"', 1.0, '"information technology" does not count in a bill that names an Information Technology Services department or office (Mississippi\'s board and appropriation bills, LA Metro\'s committee names): the procurement rule above still reads what such a department buys.'),
    )),
    Add('cybersecurity', NewRule('(internet OR online) NEAR/3 (vote OR voting OR ballot*)', 2.0, 'Voting over the internet (Mississippi SB 2037), which broadband no longer counts.')),
    Replace('broadband', ('broadband OR internet OR "digital divide" OR "affordable connectivity" OR telehealth OR telemedicine OR "audio-only"', 2.0), (
        NewRule('broadband OR (internet AND NOT ("internet website*" OR "internet web site*" OR "internet site*" OR "via the internet" OR "on the internet" OR "internet course*" OR "internet sale*" OR "internet voter registration" OR "internet-based" OR "internet gaming" OR "internet gambling")) OR "internet access" OR "internet service*" OR "high-speed internet" OR "internet connect*" OR "digital divide" OR "affordable connectivity" OR telehealth OR telemedicine OR "audio-only"', 2.0, '"internet" does not count in a bill that names it as the way something else is done (an internet website, a sale or a course on or via the internet, internet voter registration or gaming), unless the bill also speaks of internet access or service: state bills (California AB 831, a sweepstakes bill; Mississippi\'s airport sales and traffic courses) were flagged as broadband for it.'),
    )),
    Replace('broadband', ('online OR hotline* OR virtual* OR video* OR remote*', 1.0), (
        NewRule('remote* OR hotline* OR videoconferenc* OR "video conferenc*" OR summary:(online OR virtual* OR (video* AND NOT (videotap* OR (video* NEAR/3 (camera* OR record* OR audio OR surveillance))))) OR text:(online OR virtual* OR (video* AND NOT (videotap* OR (video* NEAR/3 (camera* OR record* OR audio OR surveillance)))))', 1.0, '"video" does not count for video cameras, recordings and surveillance (police body cameras, recorded interrogations and courtrooms): state bills about those were flagged as broadband.'),
        NewRule('title:(online OR virtual* OR (video* AND NOT (videotap* OR (video* NEAR/3 (camera* OR record* OR audio OR surveillance)))))', 0.9, 'In a title "online", "virtual" and "video" are mostly how a state does something else (online publication of budgets, online auctions, parole hearings held virtually): there they add to the other rules and flag no bill alone, as the other topics\' title words do; in the title and the summary, or beside a telecom word, they count.'),
    )),
    Add('broadband', NewRule('title:(gambling OR gaming OR sweepstake* OR lotter* OR wager* OR betting)', 1.0, "Gambling, gaming, sweepstakes and lottery bills name websites, phones and video monitors as the means of play; online gambling is the e-commerce topic's.", exclude=True)),
    Replace('innovation-capital', ('title:(technolog* OR innovat*)', 0.5), (
        NewRule('title:((technolog* OR innovat*) AND NOT ("districts of innovation" OR "district of innovation"))', 0.5, 'In a title these mostly name funds, buildings and school programs ("Advancement and Technology Fund", "Academic Technology Building", "Districts of Innovation"): there they add to the other rules and flag no bill alone; a bill that says them in its title and its summary still flags.'),
    )),
    Replace('innovation-capital', ('summary:(technolog* OR innovat*) OR text:(technolog* OR innovat*)', 1.0), (
        NewRule('summary:((technolog* OR innovat*) AND NOT ("districts of innovation" OR "district of innovation")) OR text:((technolog* OR innovat*) AND NOT ("districts of innovation" OR "district of innovation"))', 0.75, 'Mississippi\'s descriptions repeat the title\'s agency and building names (the Department of Information Technology Services, an Academic Technology Building) in the summary: there these words add to the other rules and flag no bill alone; with the title\'s, a summary that says them twice still flags. A field that names school "Districts of Innovation" (Mississippi HB 112, SB 2238) counts neither.'),
    )),
    Add('digital-commerce', NewRule('(online OR internet) NEAR/3 (gambling OR gaming OR sweepstake* OR wager* OR betting OR casino*)', 2.0, "Online gambling and sweepstakes (California AB 831, Mississippi's Lawful Internet Gaming Act).")),
    Replace('online-safety', ('summary:(digital OR online) OR text:(digital OR online)', 1.5), (
        NewRule('summary:(digital OR online) OR text:(digital OR online)', 1.0, "In a summary too they are mostly the means of something else (reports made available online, school records in a digital format): they add to the other rules and the title's, and flag no bill alone."),
    )),
]


def upgrade() -> None:
    apply_shipped_rules(op.get_bind(), CHANGES)


def downgrade() -> None:
    pass  # the rules stay as they are (see above)
