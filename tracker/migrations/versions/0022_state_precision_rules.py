"""shipped topic rules flag fewer state and city bills about something else (December 2026)

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07

The default rules of tracker/topics.yaml changed (docs/benchmarks.md, "State and city flags"): phones and
wireless devices no longer count in texting-while-driving and school phone-policy bills, "communications" and
"satellite" count only in their telecom senses, a lone "computer", "technology"/"innovation" or
"online"/"digital" in a title no longer flags a bill alone, "media" alone no longer counts for online safety, and
rules were added for bot disclosure (AI), searches of phones (privacy), state IT purchasing (cybersecurity),
electronics repair and recycling (IoT), driver assistance (mobility), minors online and media monitoring (online
safety), earned wage access (e-commerce) and innovation corporations.

A database made by an earlier version holds the old rules, which `tracker topics load` would replace together
with whatever staff edited. This migration changes each shipped rule only where it is still exactly as shipped,
adds the new ones, and leaves rules staff edited as they are (``tracker.migrations.shipped_rules``); `tracker db
upgrade` then says which were left and that stored matches predate the rules (`tracker topics rescore`). No
schema change.
"""
# ruff: noqa: E501  (the rules are data, each written as tracker/topics.yaml has it)
from collections.abc import Sequence

from alembic import op

from tracker.migrations.shipped_rules import Add, NewRule, Replace, apply_shipped_rules

revision: str = '0022'
down_revision: str | None = '0021'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHANGES: list[Replace | Add] = [
    Add('ai', NewRule('chatbot* OR "chat bot*" OR ((computer* OR bot OR bots OR software) NEAR/4 (interact* OR conversation*))', 2.0,
            'Bot disclosure laws: Alabama HB 516 makes it an unlawful trade practice to use "a computer to interact with a consumer" who believes the interaction is with a human, without any AI word.')),
    Add('privacy', NewRule('("electronic communication*" OR "electronic device*" OR "cell phone*" OR "cellular phone*" OR "mobile phone*" OR "electronic data") NEAR/6 (search OR searches OR seiz* OR warrant*)', 2.0,
            'Government access to phones and stored communications (a warrant to search a cell phone, the right against searches extended to electronic communications) without the word privacy.')),
    Add('cybersecurity', NewRule('("computer equipment" OR "computer services" OR "information technology" OR software) NEAR/6 (acquisition* OR acquire* OR purchas* OR procure* OR bidding)', 2.0,
            'Buying information technology for the state (the IT department\'s purchasing authority, bidding thresholds for computer equipment and services), which the technology supply-chain part of this topic covers; "computer" alone no longer flags these for semiconductors.')),
    Replace('broadband', ('wireless OR =5G OR "mobile service*" OR "universal service" OR e-rate OR robocall* OR "caller identification" OR "caller ID" OR telephone* OR phone OR phones OR "text messag*"', 2.0), (
        NewRule('(wireless OR =5G OR "mobile service*" OR "universal service" OR e-rate OR robocall* OR "caller identification" OR "caller ID" OR telephone* OR phone OR phones OR "text messag*") AND NOT ((wireless OR phone OR phones OR telephone* OR texting OR "text messag*") NEAR/8 (driving OR "motor vehicle*")) AND NOT (("cell phone*" OR "cellular phone*" OR "mobile phone*") NEAR/6 (student* OR classroom*))', 2.0,
            "Phones and wireless devices do not count in a bill about using them while driving (texting bans) or about students' phones at school (phone-use policies): state legislatures pass many of both, which are traffic and school rules, not telecom policy."),)),
    Replace('broadband', ('broadcast* OR "cable operator*" OR "cable service*" OR "video programming" OR radio OR satellite* OR "next generation 9 1 1" OR e-911 OR ng911 OR ("9-1-1" NEAR/5 (emergency OR call OR calls OR caller* OR system* OR service* OR board* OR fund OR funds OR district* OR dispatch* OR center* OR operator* OR telecommunicat* OR telephone* OR wireless)) OR communications', 1.5), (
        NewRule('broadcast* OR "cable operator*" OR "cable service*" OR "video programming" OR radio OR (satellite* NEAR/4 (communication* OR broadband OR internet OR television OR radio OR orbit* OR spectrum OR service* OR operator* OR launch* OR imagery)) OR "next generation 9 1 1" OR e-911 OR ng911 OR ("9-1-1" NEAR/5 (emergency OR call OR calls OR caller* OR system* OR service* OR board* OR fund OR funds OR district* OR dispatch* OR center* OR operator* OR telecommunicat* OR telephone* OR wireless)) OR (communications NEAR/2 (service* OR provider* OR network* OR carrier* OR infrastructure OR tower* OR facilit* OR commission OR emergency OR district* OR system* OR technolog* OR equipment OR engineer* OR act))', 1.5,
            'A satellite near communications, orbit or imagery (not a county\'s "satellite offices"), and "communications" as communications services, networks, systems or districts (not "written communications" or "privileged communications"): alone, each flagged state and city bills about something else.\n911 near the words of an emergency service: alone, "911" also found code sections (Mississippi\'s "Section 47-5-911"), which flagged a prison bill for broadband.'),)),
    Add('iot', NewRule('"right to repair" OR "fair repair" OR "electronic waste" OR e-waste OR ((electronics OR "electronic equipment" OR "electronic device*" OR computer*) NEAR/6 (repair* OR recycl* OR "solid waste"))', 2.0,
            'Consumer electronics as states legislate on them, their repair (right to repair) and their recycling.')),
    Add('mobility', NewRule('"collision avoidance" OR "automatic emergency braking" OR "lane departure" OR ("blind spot*" NEAR/8 (sensor* OR technolog* OR detect* OR camera*))', 2.0,
            'Driver assistance in the words of transit boards and city councils (collision avoidance systems on buses, blind-spot sensors).')),
    Replace('innovation-capital', ('"Small Business Innovation Research" OR =SBIR OR =STTR OR "technology transfer" OR commercialization OR "technology hub*" OR "innovation hub*" OR "tech hub*"', 2.0), (
        NewRule('"Small Business Innovation Research" OR =SBIR OR =STTR OR "technology transfer" OR commercialization OR "technology hub*" OR "innovation hub*" OR "tech hub*" OR "innovation corporation"', 2.0),)),
    Replace('innovation-capital', ('technolog* OR innovat*', 1.0), (
        NewRule('title:(technolog* OR innovat*)', 0.5,
            'In a title these mostly name funds, buildings and school programs ("Advancement and Technology Fund", "Academic Technology Building", "Districts of Innovation"): there they add to the other rules and flag no bill alone; a bill that says them in its title and its summary still flags.'),
        NewRule('summary:(technolog* OR innovat*) OR text:(technolog* OR innovat*)', 1.0),)),
    Replace('digital-commerce', ('cryptocurrenc* OR crypto OR "digital asset*" OR blockchain OR "virtual currenc*" OR stablecoin* OR "distributed ledger" OR "digital currenc*" OR fintech OR "financial technology"', 2.0), (
        NewRule('cryptocurrenc* OR crypto OR "digital asset*" OR blockchain OR "virtual currenc*" OR stablecoin* OR "distributed ledger" OR "digital currenc*" OR fintech OR "financial technology" OR "earned wage access" OR (platform* NEAR/8 ("earned income" OR "earned wage*"))', 2.0),)),
    Replace('chips-datacenters', ('computing OR computer* OR software OR hardware', 2.0), (
        NewRule('title:(computing OR computer* OR software OR hardware)', 0.9,
            "In a title, a computerized prescription registry, educational software in a sales-tax holiday or the state's computer purchases are no semiconductor or data-center bill: there these stay under the threshold alone (twice in the title, or beside another rule, they count)."),
        NewRule('summary:(computing OR computer* OR software OR hardware) OR text:(computing OR computer* OR software OR hardware)', 2.0),)),
    Replace('online-safety', ('"online safety" OR cyberbully* OR "online harassment" OR "online exploitation" OR "child sexual abuse material" OR "sexually explicit" NEAR/8 (online OR internet) OR "kids online" OR "minors online"', 2.0), (
        NewRule('"online safety" OR cyberbully* OR "online harassment" OR "online exploitation" OR "child sexual abuse material" OR "sexually explicit" NEAR/8 (online OR internet) OR "kids online" OR "minors online" OR ((minor OR minors OR child OR children OR kids OR teen* OR youth) NEAR/3 (online OR internet))', 2.0),)),
    Replace('online-safety', ('"app store*" OR "search engine*" OR "streaming service*" OR "video streaming" OR "online video" OR "user-generated" OR misinformation OR disinformation', 1.5), (
        NewRule('"app store*" OR "search engine*" OR "streaming service*" OR "video streaming" OR "online video" OR "user-generated" OR misinformation OR disinformation OR "media monitoring"', 1.5),)),
    Replace('online-safety', ('digital OR online OR "mobile app*" OR "mobile application*"', 1.5), (
        NewRule('"mobile app*" OR "mobile application*"', 1.5),
        NewRule('title:(digital OR online)', 0.75,
            'In a title, "online" and "digital" are mostly how a state does something else (online publication of budgets, digital assets, digital signatures, a teachers\' digital platform): there they add to the other rules and flag no bill alone. State and city titles are the bills\' descriptions, and a word in one used to weigh as much as a federal bill\'s name.'),
        NewRule('summary:(digital OR online) OR text:(digital OR online)', 1.5),)),
    Replace('online-safety', ('"web site*" OR website* OR media OR platform*', 1.0), (
        NewRule('"web site*" OR website* OR platform*', 0.5,
            'Transparency websites and procurement portals are not online platforms; "media" alone (imaging media, media monitoring, digital media format) is left out, "social media" is the first rule\'s.'),)),
]


def upgrade() -> None:
    apply_shipped_rules(op.get_bind(), CHANGES)


def downgrade() -> None:
    pass  # the rules stay as they are: staff may have edited them since, and the old ones were the noise
