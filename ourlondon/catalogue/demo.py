"""Realistic, deterministic demo data: London youth provision for a fresh site.

`generate_demo` builds about 2,000 activities across all 33 London areas: invented
organisations, venues at real postcodes near real town centres
(`data/demo_town_centres.csv`), about 60 activity types over every youth category,
weekly sessions, holiday programmes and one-off events, then materialises their
sessions for the occurrence window. `scale_occurrences` adds more of the same (weekly
clubs) until the occurrence table holds a target number of rows, for benchmarks.

Everything is marked as demo (`is_demo=True`, `Activity.source='demo'`), so
`delete_demo` removes it and nothing else. The output depends only on the seed, the
`today` date and the reference data: randomness comes from `random.Random` seeded
with strings (stable across processes), and database rows are read in a defined
order and sorted in Python (collations differ between SQLite and PostgreSQL).

Names, phone numbers and registration numbers are invented on purpose: phone numbers
are in Ofcom's drama ranges, charity numbers start 19 and company numbers 18 (valid
formats that have not been issued), and every web or email address is at
example.org.
"""

from __future__ import annotations

import csv
import random
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.db.models import Q
from django.utils.text import slugify

from ourlondon.catalogue.models import (
    Activity,
    ActivityType,
    HolidayPeriod,
    Occurrence,
    Organisation,
    Schedule,
    Venue,
)
from ourlondon.catalogue.recurrence import (
    default_window,
    holiday_ranges,
    london_datetime,
    schedule_slots,
)
from ourlondon.catalogue.vocabulary import AccessibilityFeature, Category
from ourlondon.core import clock
from ourlondon.core.geography import haversine_km
from ourlondon.core.models import Borough, Postcode, PostcodeDistrict

TOWN_CENTRES_CSV = Path(__file__).resolve().parent / "data" / "demo_town_centres.csv"
DEFAULT_SEED = 2026
MAX_SCALE = 1_000_000
# Venues are placed among this many postcodes nearest the town centre's point.
NEAREST_POSTCODES = 300
# Activities per borough in the base demo: 61-66, so 33 areas give at least 2,013.
ACTIVITIES_PER_BOROUGH = (61, 66)
# Scaling writes this many occurrences per transaction (about 2,000 activities).
SCALE_BATCH_OCCURRENCES = 50_000
# delete_demo removes the sessions and schedules of this many activities at a time.
DELETE_SLICE = 5_000
# bulk_create batch for occurrences: large enough to keep round trips few; Django
# still splits it to SQLite's 999-parameter limit.
INSERT_BATCH = 5_000

Progress = Callable[[int], None]


class DemoError(ValueError):
    """The demo data cannot be generated; the message says what to do."""


@dataclass(frozen=True)
class DemoReport:
    """How much demo data there is (or was just written)."""

    organisations: int = 0
    venues: int = 0
    activities: int = 0
    schedules: int = 0
    occurrences: int = 0
    boroughs: int = 0
    activity_types: int = 0


@dataclass(frozen=True)
class TownCentre:
    gss_code: str
    borough: str
    name: str
    outcode: str


# --- What young people can do: one spec per main activity type -------------------

# Venue kinds. Each borough gets a community centre and a youth centre per town
# centre, one of each of the other kinds, and a school site per school.
COMMUNITY = "community"
YOUTH = "youth"
LEISURE = "leisure"
LIBRARY = "library"
PARK = "park"
ARTS = "arts"
HALL = "hall"
STUDIO = "studio"
ENTERPRISE = "enterprise"
COURT = "court"
SCHOOL = "school"

SHARED_VENUE_KINDS = (LEISURE, LIBRARY, PARK, ARTS, HALL, STUDIO, ENTERPRISE, COURT)
VENUE_NAMES = {
    COMMUNITY: ("{place} Community Centre", "{place} Neighbourhood Centre"),
    YOUTH: ("{place} Youth Centre", "{place} Youth Hub"),
    LEISURE: ("{place} Leisure Centre", "{place} Sports Centre"),
    LIBRARY: ("{place} Library",),
    PARK: ("{place} Park Pavilion", "{place} Recreation Ground Pavilion"),
    ARTS: ("{place} Arts Centre", "{place} Creative Studios"),
    HALL: ("St {saint}'s Church Hall", "{place} Methodist Hall", "{place} Parish Hall"),
    STUDIO: ("{place} Dance Studios", "{place} Rehearsal Rooms"),
    ENTERPRISE: ("{place} Enterprise Hub", "{place} Workspace"),
    COURT: ("{place} Games Court", "{place} Sports Cage"),
}
SAINTS = ("Mary", "John", "Peter", "Paul", "Luke", "Mark", "Anne", "Stephen", "James")
STREETS = (
    "High Street",
    "Station Road",
    "Church Road",
    "Park Road",
    "Victoria Road",
    "Green Lane",
    "Albert Road",
    "Grove Road",
    "King's Road",
    "Queen's Road",
    "Mill Lane",
    "Chapel Street",
    "Market Street",
    "Broadway",
    "The Parade",
)

ACTIVE = (LEISURE, COURT, PARK, SCHOOL)
INDOOR_SPORT = (LEISURE, SCHOOL, COMMUNITY)
DANCE_ROOMS = (STUDIO, COMMUNITY, ARTS, YOUTH)
MUSIC_ROOMS = (ARTS, YOUTH, COMMUNITY, STUDIO)
STAGES = (ARTS, COMMUNITY, HALL, SCHOOL)
MAKING = (ARTS, LIBRARY, COMMUNITY, YOUTH)
DIGITAL = (LIBRARY, ENTERPRISE, SCHOOL, YOUTH)
CLUB_ROOMS = (YOUTH, COMMUNITY, HALL)
QUIET_ROOMS = (COMMUNITY, YOUTH, LIBRARY, ENTERPRISE)
CAREERS = (ENTERPRISE, LIBRARY, COMMUNITY)
CALM_ROOMS = (COMMUNITY, YOUTH, STUDIO, HALL)

KIDS, TEENS, OLDER, WIDE, YOUNG_ADULTS = (8, 13), (11, 16), (13, 19), (10, 18), (16, 25)


@dataclass(frozen=True)
class Spec:
    """How to invent an activity of one type."""

    slug: str
    subject: str  # as in "Football Taster Day"
    titles: tuple[str, ...]  # may contain {place}
    about: str
    bring: str
    venues: tuple[str, ...]
    ages: tuple[tuple[int, int], ...] = (KIDS, TEENS, OLDER, WIDE)
    price: tuple[int, int] = (2, 5)  # pounds per session when paid
    free_share: float = 0.3
    also: tuple[str, ...] = ()  # further types every such activity has
    maybe: str = ""  # a further type some have
    girls: bool = False  # sometimes run as a girls-only session
    weight: int = 2
    leader: str = "coaches"


SPECS: tuple[Spec, ...] = (
    # Sport
    Spec(
        "football",
        "Football",
        (
            "{place} Youth Football",
            "Community Football Sessions",
            "Football Skills Club",
        ),
        "Coached football for every ability: warm-up, skills drills and "
        "small-sided matches.",
        "Trainers or astro boots, shin pads and a water bottle.",
        ACTIVE,
        price=(2, 4),
        girls=True,
        weight=6,
    ),
    Spec(
        "futsal",
        "Futsal",
        ("Futsal Club", "Indoor Futsal Sessions"),
        "Fast five-a-side football indoors with a smaller, heavier ball: quick "
        "feet, sharp passing and lots of touches.",
        "Indoor trainers and a water bottle.",
        INDOOR_SPORT,
        price=(2, 4),
    ),
    Spec(
        "basketball",
        "Basketball",
        ("{place} Hoops", "Basketball Club", "Basketball Academy"),
        "Ball handling, shooting and team play, with a game at the end of every "
        "session.",
        "Trainers and a water bottle. Balls are provided.",
        (LEISURE, COURT, SCHOOL),
        ages=(TEENS, OLDER, WIDE, YOUNG_ADULTS),
        girls=True,
        weight=4,
    ),
    Spec(
        "netball",
        "Netball",
        ("Netball Club", "Junior Netball"),
        "Netball skills and matches for beginners and improvers, led by a "
        "qualified coach.",
        "Trainers, sportswear and a water bottle.",
        (LEISURE, COURT, SCHOOL),
        girls=True,
        weight=3,
    ),
    Spec(
        "boxing",
        "Boxing",
        ("{place} Youth Boxing", "Boxing Fitness", "Junior Boxing Club"),
        "Non-contact boxing training: pads, bag work, skipping and circuits. "
        "Nobody spars without parental consent.",
        "Sportswear, trainers and a water bottle. Gloves and wraps are provided.",
        (COMMUNITY, YOUTH, LEISURE),
        maybe="boxfit",
        girls=True,
        weight=4,
    ),
    Spec(
        "taekwondo",
        "Taekwondo",
        ("Taekwondo Club", "Taekwondo for Beginners"),
        "Kicks, patterns and self-discipline in a friendly club; grading is optional.",
        "Loose sportswear. Bare feet on the mats.",
        (COMMUNITY, LEISURE, HALL),
        price=(3, 6),
        free_share=0.3,
    ),
    Spec(
        "athletics",
        "Athletics",
        ("Athletics Club", "Sprint and Jump Sessions"),
        "Running, jumping and throwing: try every event and find the one you love.",
        "Running shoes, sportswear and a water bottle.",
        (PARK, LEISURE, SCHOOL),
    ),
    Spec(
        "swimming",
        "Swimming",
        ("Teen Swim Sessions", "Swimming Lessons for Young People", "Swim Club"),
        "Small-group swimming lessons from non-swimmer to confident, plus "
        "lane swimming for improvers.",
        "Swimwear, a towel and a coin or padlock for the lockers.",
        (LEISURE,),
        price=(2, 5),
        free_share=0.3,
        girls=True,
        weight=3,
    ),
    Spec(
        "badminton",
        "Badminton",
        ("Badminton Club", "Junior Badminton"),
        "Rallies, serves and doubles games for all levels; rackets to borrow.",
        "Indoor trainers and a water bottle.",
        (LEISURE, SCHOOL),
    ),
    Spec(
        "table-tennis",
        "Table Tennis",
        ("Table Tennis Club", "Ping Pong Drop-in"),
        "Friendly table tennis with coaching for anyone who wants it.",
        "Trainers. Bats and balls are provided.",
        (LEISURE, YOUTH, COMMUNITY, LIBRARY),
        free_share=0.7,
    ),
    Spec(
        "cricket",
        "Cricket",
        ("Indoor Cricket Club", "Tape-Ball Cricket"),
        "Fast, fun cricket with a tape ball: batting, bowling and short games.",
        "Trainers and a water bottle. All kit is provided.",
        (LEISURE, COURT, PARK),
        free_share=0.7,
        girls=True,
    ),
    Spec(
        "gymnastics",
        "Gymnastics",
        ("Gymnastics Club", "Tumbling and Trampoline"),
        "Floor skills, vaults and trampoline with British Gymnastics coaches.",
        "Close-fitting sportswear; long hair tied back; no jewellery.",
        (LEISURE, SCHOOL),
        ages=(KIDS, (8, 12), TEENS),
        price=(4, 8),
        free_share=0.2,
    ),
    Spec(
        "skateboarding",
        "Skateboarding",
        ("Skate Sessions", "Learn to Skate"),
        "Coached skateboarding from first push to first tricks; boards to borrow.",
        "A helmet if you have one (we can lend one), and flat shoes.",
        (PARK,),
        ages=(KIDS, TEENS, WIDE),
        girls=True,
    ),
    Spec(
        "parkour",
        "Parkour",
        ("Parkour Classes", "Freerunning Club"),
        "Vaults, jumps and rolls, taught safely and step by step.",
        "Trainers with a good grip and comfortable clothes.",
        (LEISURE, PARK, SCHOOL),
        price=(3, 6),
    ),
    Spec(
        "rugby-union",
        "Rugby",
        ("Tag Rugby", "Youth Rugby Club"),
        "Tag and touch rugby, then contact skills for those who want them.",
        "Boots or trainers, sportswear and a gum shield for contact sessions.",
        (PARK, SCHOOL),
    ),
    # Dance
    Spec(
        "street-dance",
        "Street Dance",
        ("Street Dance Crew", "{place} Street Dance", "Street Dance for Beginners"),
        "Learn choreography to the latest tracks and perform with the crew at "
        "local events.",
        "Comfortable clothes, trainers and a water bottle.",
        DANCE_ROOMS,
        maybe="hip-hop",
        girls=True,
        weight=4,
        leader="dance artists",
    ),
    Spec(
        "hip-hop",
        "Hip Hop Dance",
        ("Hip Hop Dance", "Breaking and Hip Hop"),
        "Grooves, footwork and freestyle, with breaking for anyone who wants to "
        "get on the floor.",
        "Trainers and clothes you can move in.",
        DANCE_ROOMS,
        maybe="break-dance",
        leader="dance artists",
    ),
    Spec(
        "ballet",
        "Ballet",
        ("Youth Ballet", "Ballet for Teens"),
        "Classical technique at the barre and in the centre, for beginners and "
        "returners.",
        "Leggings or shorts and a T-shirt; ballet shoes if you have them.",
        (STUDIO, ARTS),
        ages=(KIDS, TEENS, OLDER),
        price=(4, 8),
        free_share=0.25,
        leader="dance teachers",
    ),
    Spec(
        "contemporary",
        "Contemporary Dance",
        ("Contemporary Dance Company", "Youth Dance Company"),
        "Create and perform your own contemporary dance pieces with "
        "professional choreographers.",
        "Clothes you can move in; bare feet or socks.",
        (STUDIO, ARTS),
        ages=(TEENS, OLDER, YOUNG_ADULTS),
        leader="dance artists",
    ),
    Spec(
        "bollywood",
        "Bollywood Dance",
        ("Bollywood Dance", "Bollywood and Bhangra"),
        "High-energy Bollywood routines, from classic film songs to the latest hits.",
        "Comfortable clothes and a water bottle.",
        DANCE_ROOMS,
        girls=True,
        leader="dance teachers",
    ),
    Spec(
        "african-dance",
        "African Dance",
        ("Afrobeats Dance", "African Dance and Drumming"),
        "Afrobeats and traditional West African dance, with live drumming on "
        "some weeks.",
        "Comfortable clothes and a water bottle.",
        DANCE_ROOMS,
        leader="dance artists",
    ),
    # Music
    Spec(
        "singing",
        "Singing",
        ("Youth Choir", "Vocal Sessions", "Gospel Choir for Young People"),
        "Warm-ups, harmonies and songs from pop to gospel; no auditions.",
        "Just yourself and a water bottle.",
        MUSIC_ROOMS + (HALL,),
        leader="music leaders",
    ),
    Spec(
        "music-production",
        "Music Production",
        ("Beat Lab", "Music Production Studio", "Studio Sessions"),
        "Make beats and record tracks in a real studio with Ableton and FL "
        "Studio; leave with your own music.",
        "Headphones if you have them; a USB stick to take your tracks home.",
        (ARTS, YOUTH, STUDIO),
        ages=(TEENS, OLDER, YOUNG_ADULTS),
        free_share=0.65,
        weight=3,
        leader="music producers",
    ),
    Spec(
        "djing",
        "DJing",
        ("DJ School", "Decks and Mixing"),
        "Learn to beat-match, mix and build a set on professional decks.",
        "Headphones if you have them.",
        (ARTS, YOUTH),
        ages=(TEENS, OLDER, YOUNG_ADULTS),
        leader="DJs",
    ),
    Spec(
        "band",
        "Band",
        ("Youth Band Project", "Rock and Pop Band", "Youth Orchestra"),
        "Play in a band: guitar, bass, keys, drums or vocals, rehearsing towards "
        "a gig.",
        "Your instrument if you have one; we have some to borrow.",
        MUSIC_ROOMS + (SCHOOL,),
        also=("instrument-lessons",),
        free_share=0.4,
        leader="music leaders",
    ),
    Spec(
        "rap-and-lyrics",
        "Rap and Lyrics",
        ("Bars and Beats", "Rap and Lyric Writing"),
        "Write and perform your own bars, and record them over original beats.",
        "A notebook or your phone for lyrics.",
        (YOUTH, ARTS, LIBRARY),
        ages=(TEENS, OLDER, YOUNG_ADULTS),
        free_share=0.8,
        leader="artists",
    ),
    Spec(
        "steel-pan",
        "Steel Pan",
        ("Steel Pan Band", "Youth Steel Orchestra"),
        "Learn to play steel pan and perform at carnival and community events.",
        "Nothing: pans and sticks are provided.",
        (COMMUNITY, ARTS, SCHOOL),
        weight=1,
        leader="music leaders",
    ),
    # Drama and theatre
    Spec(
        "theatre",
        "Theatre",
        ("{place} Youth Theatre", "Youth Theatre Company", "Theatre Makers"),
        "Acting, devising and stagecraft, working towards a show for family and "
        "friends each term.",
        "Comfortable clothes you can move in.",
        STAGES,
        also=("acting",),
        price=(2, 6),
        weight=3,
        leader="theatre practitioners",
    ),
    Spec(
        "drama",
        "Drama",
        ("Drama Club", "Improv Club", "Drama Games"),
        "Games, improvisation and scenes that build confidence; no experience needed.",
        "Comfortable clothes.",
        STAGES + (YOUTH,),
        leader="drama facilitators",
    ),
    Spec(
        "musical-theatre",
        "Musical Theatre",
        ("Musical Theatre Group", "Stage School"),
        "Sing, dance and act together while rehearsing songs from the musicals.",
        "Comfortable clothes, trainers or jazz shoes, and a water bottle.",
        (STUDIO, ARTS, SCHOOL, HALL),
        ages=(KIDS, TEENS, OLDER),
        price=(4, 8),
        free_share=0.3,
        leader="theatre practitioners",
    ),
    Spec(
        "spoken-word",
        "Spoken Word",
        ("Spoken Word Collective", "Poetry Slam Workshop"),
        "Write and perform poetry: workshops, open mics and the occasional slam.",
        "A notebook, or your phone for writing.",
        (LIBRARY, ARTS, YOUTH),
        ages=(TEENS, OLDER, YOUNG_ADULTS),
        free_share=0.85,
        leader="poets",
    ),
    # Arts and crafts
    Spec(
        "visual-art",
        "Art",
        ("Art Club", "Drawing and Painting", "Young Artists Studio"),
        "Drawing, painting and printmaking with professional artists; all "
        "materials provided.",
        "Clothes you do not mind getting messy.",
        MAKING,
        leader="artists",
    ),
    Spec(
        "photography",
        "Photography",
        ("Photography Club", "Phone Photography Walks"),
        "Composition, light and editing, using cameras we lend or your phone.",
        "Your phone if you want to use it.",
        MAKING,
        ages=(TEENS, OLDER, YOUNG_ADULTS),
        leader="photographers",
    ),
    Spec(
        "street-art",
        "Street Art",
        ("Graffiti Art Workshop", "Street Art Club"),
        "Design and paint legal murals with working street artists.",
        "Old clothes; masks and gloves are provided.",
        (ARTS, YOUTH, PARK),
        ages=(TEENS, OLDER),
        free_share=0.8,
        leader="artists",
    ),
    Spec(
        "fashion",
        "Fashion",
        ("Fashion and Textiles Lab", "Upcycling and Sewing"),
        "Design, sew and upcycle clothes on our machines, and style a show at "
        "the end of term.",
        "Old clothes to upcycle if you have any.",
        (ARTS, COMMUNITY, YOUTH),
        ages=(TEENS, OLDER, YOUNG_ADULTS),
        leader="designers",
    ),
    Spec(
        "film-making",
        "Film-making",
        ("Film Club", "Young Film-makers", "Animation Studio"),
        "Write, shoot and edit short films and animations, screened at the end "
        "of the course.",
        "Nothing: cameras and laptops are provided.",
        (ARTS, LIBRARY, YOUTH, ENTERPRISE),
        ages=(TEENS, OLDER, YOUNG_ADULTS),
        also=("digital-media",),
        leader="film-makers",
    ),
    Spec(
        "creative-writing",
        "Creative Writing",
        ("Young Writers' Group", "Creative Writing Club"),
        "Stories, scripts and zines, with published writers and a friendly crowd.",
        "A notebook and pen, or a laptop.",
        (LIBRARY, ARTS),
        free_share=0.85,
        weight=1,
        leader="writers",
    ),
    # Outdoor and adventure
    Spec(
        "climbing",
        "Climbing",
        ("Youth Climbing Club", "Bouldering Sessions"),
        "Roped climbing and bouldering on the wall with qualified instructors; "
        "harnesses and shoes provided.",
        "Sportswear and trainers.",
        (LEISURE,),
        ages=(KIDS, TEENS, OLDER),
        price=(4, 8),
        free_share=0.2,
        leader="instructors",
    ),
    Spec(
        "kayaking",
        "Kayaking",
        ("Kayak Club", "Pool Kayaking"),
        "Learn to paddle safely in the pool, then join trips on the river and "
        "the docks.",
        "Swimwear, a towel and a change of clothes.",
        (LEISURE,),
        ages=(KIDS, TEENS, OLDER),
        price=(3, 8),
        free_share=0.3,
        weight=1,
        leader="instructors",
    ),
    Spec(
        "duke-of-edinburgh",
        "Duke of Edinburgh",
        ("Duke of Edinburgh's Award Group", "DofE Expedition Training"),
        "Work towards your Bronze or Silver award: volunteering, skills, "
        "physical activity and expeditions.",
        "A notebook; expedition kit can be borrowed.",
        (YOUTH, SCHOOL, COMMUNITY),
        ages=((14, 18), (14, 19), (16, 24)),
        free_share=0.7,
        leader="youth workers",
    ),
    Spec(
        "bushcraft",
        "Bushcraft",
        ("Bushcraft Club", "Forest Skills"),
        "Shelter building, fire lighting and outdoor cooking in the park's woodland.",
        "Outdoor clothes, sturdy shoes and a waterproof.",
        (PARK,),
        ages=(KIDS, (10, 14), TEENS),
        leader="outdoor instructors",
    ),
    Spec(
        "conservation",
        "Conservation",
        ("Young Rangers", "Urban Growing Club"),
        "Grow food, build habitats and look after local green spaces with the "
        "park rangers.",
        "Outdoor clothes and sturdy shoes; gloves and tools provided.",
        (PARK, COMMUNITY),
        free_share=0.9,
        leader="rangers",
    ),
    # Tech and coding
    Spec(
        "coding",
        "Coding",
        ("Coding Club", "Code Lab", "Web Development for Beginners"),
        "Learn Python, JavaScript and web design by building your own projects "
        "with volunteer mentors.",
        "A laptop if you have one; we have some to borrow.",
        DIGITAL,
        free_share=0.85,
        girls=True,
        weight=3,
        leader="volunteer developers",
    ),
    Spec(
        "game-design",
        "Game Design",
        ("Game Design Lab", "Make Your Own Game"),
        "Design, code and playtest your own video games in Scratch, Roblox "
        "Studio and Unity.",
        "Nothing: laptops are provided.",
        DIGITAL,
        ages=(KIDS, TEENS, WIDE),
        leader="game developers",
    ),
    Spec(
        "robotics",
        "Robotics",
        ("Robotics Club", "Robot Builders"),
        "Build and program robots with micro:bits and LEGO, and enter the "
        "regional league.",
        "Nothing: kits are provided.",
        DIGITAL,
        ages=(KIDS, TEENS, (10, 16)),
        girls=True,
        leader="engineers",
    ),
    Spec(
        "esports",
        "Esports",
        ("Esports Club", "Gaming and Esports Academy"),
        "Team gaming with coaching on communication, tactics and healthy "
        "screen habits.",
        "Your own headset if you prefer.",
        (YOUTH, LIBRARY, ENTERPRISE),
        ages=(TEENS, OLDER, YOUNG_ADULTS),
        weight=1,
        leader="youth workers",
    ),
    # Youth club
    Spec(
        "youth-club",
        "Youth Club",
        ("{place} Youth Club", "Open Access Youth Club", "Junior Youth Club"),
        "Pool, table tennis, games consoles, music, cooking and trips, or just "
        "a safe warm place to chill with friends and youth workers.",
        "Nothing. A hot snack is served.",
        CLUB_ROOMS,
        ages=(KIDS, (11, 19), OLDER, WIDE),
        price=(1, 2),  # subs
        free_share=0.75,
        maybe="youth-voice",
        weight=8,
        leader="youth workers",
    ),
    Spec(
        "uniformed-group",
        "Uniformed Youth Group",
        ("Adventure Unit", "{place} Young Leaders Unit"),
        "Camping, badges, first aid and community projects in a uniformed youth group.",
        "Your uniform once you have joined; comfortable clothes before.",
        (HALL, COMMUNITY, SCHOOL),
        ages=((10, 14), (14, 18), (12, 18)),
        price=(1, 3),
        free_share=0.35,
        leader="adult volunteers",
    ),
    Spec(
        "detached-youth-work",
        "Detached Youth Work",
        ("Detached Youth Work: {place}", "Street-Based Youth Work"),
        "Our youth workers meet young people where they hang out: a chat, "
        "advice and a way into local activities.",
        "Nothing.",
        (PARK, COURT),
        ages=((11, 19), (13, 19), (11, 25)),
        free_share=1.0,
        leader="youth workers",
    ),
    Spec(
        "girls-group",
        "Girls' Group",
        ("Girls' Space", "Young Women's Group", "Girls' Group"),
        "A space for girls and young women: workshops, trips, sport and "
        "conversations that matter.",
        "Nothing.",
        CLUB_ROOMS,
        ages=((11, 16), (13, 19), (16, 25)),
        free_share=0.95,
        weight=3,
        leader="youth workers",
    ),
    # Mentoring
    Spec(
        "mentoring",
        "Mentoring",
        ("One-to-One Mentoring", "Mentoring Programme", "Future Leaders Mentoring"),
        "Meet a trained volunteer mentor every week to set goals, talk things "
        "through and plan next steps.",
        "Nothing.",
        QUIET_ROOMS,
        ages=(TEENS, OLDER, YOUNG_ADULTS, (14, 21)),
        free_share=1.0,
        weight=3,
        leader="volunteer mentors",
    ),
    Spec(
        "peer-mentoring",
        "Peer Mentoring",
        ("Peer Mentor Training", "Peer Mentoring Circle"),
        "Train to support younger students, with a certificate at the end.",
        "Nothing.",
        QUIET_ROOMS + (SCHOOL,),
        ages=(OLDER, (14, 18), YOUNG_ADULTS),
        free_share=1.0,
        leader="youth workers",
    ),
    Spec(
        "sports-mentoring",
        "Sport and Mentoring",
        ("Football and Mentoring Club", "Sport and Mentoring Programme"),
        "Sport first, then a mentor session on school, goals and staying safe.",
        "Sportswear and trainers.",
        (COURT, LEISURE, PARK),
        ages=(TEENS, OLDER),
        free_share=1.0,
        also=("football",),
        leader="coach-mentors",
    ),
    # Employment and training
    Spec(
        "employability",
        "Employability",
        ("Job Club", "CV and Interview Workshop", "Get Ready for Work"),
        "CVs, applications, interview practice and one-to-one help finding work.",
        "Your CV if you have one, and a phone or laptop.",
        CAREERS,
        ages=(YOUNG_ADULTS, (16, 24), (14, 19)),
        free_share=1.0,
        weight=4,
        leader="careers advisers",
    ),
    Spec(
        "apprenticeships",
        "Apprenticeships",
        ("Apprenticeship Drop-in", "Apprenticeships Explained"),
        "Find and apply for apprenticeships, with advisers and local employers.",
        "A phone or laptop if you have one.",
        CAREERS,
        ages=(YOUNG_ADULTS, (16, 24)),
        free_share=1.0,
        leader="careers advisers",
    ),
    Spec(
        "enterprise",
        "Enterprise",
        ("Young Entrepreneurs Club", "Start Your Own Business"),
        "Turn an idea into a business: market research, money and pitching to "
        "real investors.",
        "A notebook.",
        (ENTERPRISE, LIBRARY),
        ages=(OLDER, YOUNG_ADULTS),
        free_share=0.9,
        leader="business mentors",
    ),
    Spec(
        "sports-leadership",
        "Sports Leadership",
        ("Young Coaches Academy", "Young Coaches Award Course"),
        "Learn to plan and lead sessions for younger children and gain a "
        "recognised coaching award.",
        "Sportswear and trainers.",
        (LEISURE, SCHOOL, PARK),
        ages=((14, 19), YOUNG_ADULTS),
        free_share=0.7,
        leader="coach educators",
    ),
    Spec(
        "first-aid",
        "First Aid",
        ("Lifesaving Skills Workshop", "First Aid for Young People"),
        "Practical first aid: CPR, recovery position, bleeding and burns, with "
        "a certificate.",
        "Nothing.",
        (COMMUNITY, YOUTH, LIBRARY),
        ages=(KIDS, TEENS, OLDER),
        free_share=0.8,
        weight=1,
        leader="trainers",
    ),
    # Wellbeing
    Spec(
        "yoga",
        "Yoga",
        ("Teen Yoga", "Yoga and Relaxation"),
        "Gentle yoga, stretching and breathing to unwind after school.",
        "Comfortable clothes; mats are provided.",
        CALM_ROOMS,
        ages=(TEENS, OLDER, YOUNG_ADULTS),
        price=(2, 5),
        girls=True,
        leader="yoga teachers",
    ),
    Spec(
        "mindfulness",
        "Mindfulness",
        ("Mindfulness for Teens", "Calm Club"),
        "Simple mindfulness practices for stress, sleep and exams.",
        "Nothing.",
        CALM_ROOMS + (LIBRARY,),
        ages=(TEENS, OLDER),
        free_share=0.9,
        weight=1,
        leader="mindfulness teachers",
    ),
    Spec(
        "cooking",
        "Cooking",
        ("Cook and Eat", "Teen Kitchen", "Cooking on a Budget"),
        "Cook a meal from scratch each week, then sit down and eat it together.",
        "An apron if you have one, and a container for leftovers.",
        (COMMUNITY, YOUTH, HALL),
        ages=(KIDS, TEENS, OLDER, YOUNG_ADULTS),
        price=(1, 3),
        weight=3,
        leader="chefs",
    ),
    Spec(
        "mental-health-support",
        "Wellbeing",
        ("Wellbeing Group", "Talk It Out", "Mind Matters Group"),
        "A small, confidential peer support group with a trained practitioner; "
        "drop in when you need it.",
        "Nothing.",
        (COMMUNITY, YOUTH, LIBRARY),
        ages=(TEENS, OLDER, YOUNG_ADULTS),
        free_share=1.0,
        weight=3,
        leader="wellbeing practitioners",
    ),
)
SPECS_BY_SLUG = {spec.slug: spec for spec in SPECS}

# One-off events, by the category of the activity's main type.
SHOWS = (
    "{subject} Showcase",
    "{subject} Taster Day",
    "Free {subject} Workshop",
    "{place} Young Creatives Festival",
)
EVENT_TITLES = {
    Category.SPORT: (
        "{subject} Tournament",
        "{subject} Taster Day",
        "Free {subject} Taster",
        "{place} {subject} Fun Day",
    ),
    Category.DANCE: SHOWS,
    Category.MUSIC: SHOWS,
    Category.DRAMA: SHOWS,
    Category.ARTS: SHOWS,
    Category.TECH: (
        "{subject} Hackathon",
        "Free {subject} Workshop",
        "{subject} Taster Day",
    ),
    Category.OUTDOOR: (
        "{subject} Adventure Day",
        "{subject} Taster Day",
        "Free {subject} Taster",
    ),
    Category.YOUTH_CLUB: (
        "{place} Youth Fun Day",
        "{subject} Open Evening",
        "Free {subject} Taster",
    ),
    Category.MENTORING: (
        "{subject} Open Day",
        "{subject} Information Evening",
        "Free {subject} Workshop",
    ),
    Category.EMPLOYMENT: (
        "{place} Careers and Jobs Fair",
        "{subject} Open Day",
        "Free {subject} Workshop",
    ),
    Category.WELLBEING: (
        "Free {subject} Workshop",
        "{subject} Taster Session",
        "{subject} Open Day",
    ),
}
HOLIDAY_TITLES = (
    "{holiday} {subject} Camp",
    "{holiday} {subject} Week",
    "{subject} Holiday Club",
)


# --- Who runs it: organisation archetypes ----------------------------------------


@dataclass(frozen=True)
class Archetype:
    name: str  # {place} is a town centre
    kinds: tuple[str, ...]
    runs: tuple[str, ...]  # spec slugs


K = Organisation.Kind
ARCHETYPES: tuple[Archetype, ...] = (
    Archetype(
        "{place} Youth Boxing Club",
        (K.COMMUNITY, K.CIC),
        ("boxing", "taekwondo", "sports-mentoring", "yoga"),
    ),
    Archetype(
        "{place} Youth Sports Foundation",
        (K.CHARITY, K.CIO),
        (
            "football",
            "futsal",
            "basketball",
            "netball",
            "athletics",
            "cricket",
            "rugby-union",
            "sports-mentoring",
            "sports-leadership",
            "table-tennis",
        ),
    ),
    Archetype(
        "{place} Community Sport and Leisure",
        (K.CIC, K.COMPANY),
        (
            "swimming",
            "badminton",
            "gymnastics",
            "climbing",
            "kayaking",
            "parkour",
            "table-tennis",
            "yoga",
            "futsal",
        ),
    ),
    Archetype(
        "{place} Dance Collective",
        (K.CIC, K.CHARITY),
        (
            "street-dance",
            "hip-hop",
            "ballet",
            "contemporary",
            "bollywood",
            "african-dance",
        ),
    ),
    Archetype(
        "{place} Young Musicians' Studio",
        (K.CIC, K.CIO),
        ("music-production", "djing", "band", "rap-and-lyrics", "singing", "steel-pan"),
    ),
    Archetype(
        "{place} Stage Collective",
        (K.CHARITY, K.CIO),
        ("theatre", "drama", "musical-theatre", "spoken-word", "singing"),
    ),
    Archetype(
        "{place} Creative Arts Workshop",
        (K.COMMUNITY, K.CIC),
        (
            "visual-art",
            "photography",
            "street-art",
            "fashion",
            "film-making",
            "creative-writing",
        ),
    ),
    Archetype(
        "{place} Digital Makers",
        (K.CIC, K.CHARITY),
        ("coding", "game-design", "robotics", "esports", "film-making"),
    ),
    Archetype(
        "{place} Youth and Play Service",
        (K.COUNCIL,),
        (
            "youth-club",
            "detached-youth-work",
            "girls-group",
            "duke-of-edinburgh",
            "skateboarding",
            "football",
            "basketball",
            "cooking",
        ),
    ),
    Archetype(
        "{place} Outdoor Learning Trust",
        (K.CHARITY,),
        ("bushcraft", "conservation", "duke-of-edinburgh", "climbing", "kayaking"),
    ),
    Archetype(
        "{place} Futures",
        (K.CIO, K.CHARITY),
        ("employability", "apprenticeships", "enterprise", "first-aid", "mentoring"),
    ),
    Archetype(
        "{place} Mentoring Project",
        (K.CIO, K.COMMUNITY),
        ("mentoring", "peer-mentoring", "girls-group"),
    ),
    Archetype(
        "{place} Mind and Body Collective",
        (K.CIC, K.COMMUNITY),
        ("yoga", "mindfulness", "mental-health-support", "cooking"),
    ),
    Archetype(
        "{place} Interfaith Youth Network",
        (K.FAITH,),
        ("youth-club", "mentoring", "cooking", "singing", "uniformed-group"),
    ),
    Archetype(
        "{place} Community Academy",
        (K.SCHOOL,),
        (
            "coding",
            "robotics",
            "band",
            "theatre",
            "basketball",
            "netball",
            "peer-mentoring",
            "duke-of-edinburgh",
            "uniformed-group",
        ),
    ),
)

ACCESSIBILITY_WEIGHTS = (
    (AccessibilityFeature.STEP_FREE, 10),
    (AccessibilityFeature.ACCESSIBLE_TOILET, 8),
    (AccessibilityFeature.LEARNING, 4),
    (AccessibilityFeature.SOCIAL, 4),
    (AccessibilityFeature.MENTAL_HEALTH, 3),
    (AccessibilityFeature.QUIET, 3),
    (AccessibilityFeature.HEARING_LOOP, 3),
    (AccessibilityFeature.PHYSICAL, 3),
    (AccessibilityFeature.BSL, 1),
    (AccessibilityFeature.HEARING, 1),
    (AccessibilityFeature.VISUAL, 1),
    (AccessibilityFeature.CHANGING_PLACES, 1),
)
FEATURE_ORDER = {value: index for index, value in enumerate(AccessibilityFeature)}
CONCESSIONS = (
    "Free for young people on free school meals",
    "Pay what you can",
    "Half price for under-16s",
    "Free for young carers and care-experienced young people",
    "First session free",
    "£1 with a local leisure card",
)
BOOKING_NOTES = (
    "Just turn up",
    "Book a free taster session first",
    "Booking essential: places are limited",
    "Drop in any time during the session",
    "Register online before your first session",
    "",
)
OPENERS = (
    "No experience needed: beginners are very welcome.",
    "Come on your own or bring a friend.",
    "Whatever your ability, there is a place for you.",
    "A friendly, welcoming group; new faces every week.",
)
EXTRAS = (
    "Healthy snacks and drinks are provided.",
    "Parents and carers are welcome to stay for the first session.",
    "Young people with SEND are welcome; tell us what support you need.",
    "Travel tips and a bus route map are on our website.",
    "",
)
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR")


# --- Reading the reference data ---------------------------------------------------


def read_town_centres(*, path: Path = TOWN_CENTRES_CSV) -> list[TownCentre]:
    """The demo town centres, in file order."""
    with path.open(encoding="utf-8", newline="") as f:
        return [
            TownCentre(
                row["gss_code"], row["borough"], row["town_centre"], row["outcode"]
            )
            for row in csv.DictReader(f)
        ]


def _activity_types() -> dict[str, tuple[int, str]]:
    """Id and category of every type the demo uses, by slug."""
    wanted = set(SPECS_BY_SLUG)
    for spec in SPECS:
        wanted.update(spec.also)
        if spec.maybe:
            wanted.add(spec.maybe)
    types = {
        slug: (pk, category)
        for slug, pk, category in ActivityType.objects.filter(
            slug__in=wanted
        ).values_list("slug", "pk", "category")
    }
    missing = sorted(wanted - set(types))
    if missing:
        raise DemoError(
            f"Activity types missing: {', '.join(missing)}. "
            "Run `manage.py load_vocabularies` first."
        )
    return types


@dataclass
class _Place:
    """A town centre with the postcodes venues may use, nearest first."""

    centre: TownCentre
    postcodes: list[tuple[str, float, float]]


def _places(centres: Sequence[TownCentre], gss_code: str) -> list[_Place]:
    """The borough's town centres that have postcodes loaded."""
    districts = {
        d.outcode: d
        for d in PostcodeDistrict.objects.filter(
            outcode__in=[c.outcode for c in centres]
        )
    }
    by_outcode: dict[str, list[tuple[str, float, float]]] = defaultdict(list)
    rows = Postcode.objects.filter(borough_id=gss_code, quality=10).values_list(
        "postcode", "lat", "lng"
    )
    for postcode, lat, lng in rows:
        by_outcode[postcode.split(" ")[0]].append((postcode, lat, lng))
    places = []
    for centre in centres:
        candidates = sorted(by_outcode.get(centre.outcode, []))
        if not candidates:
            continue  # a partial postcode load (tests, small setups)
        district = districts.get(centre.outcode)
        if district is not None and district.la_code == gss_code:
            ref_lat, ref_lng = district.lat, district.lng
        else:  # a border district centred in the next borough: use our part
            ref_lat = sum(c[1] for c in candidates) / len(candidates)
            ref_lng = sum(c[2] for c in candidates) / len(candidates)
        candidates.sort(
            key=lambda c: (haversine_km(ref_lat, ref_lng, c[1], c[2]), c[0])
        )
        places.append(_Place(centre, candidates[:NEAREST_POSTCODES]))
    return places


# --- Inventing rows ---------------------------------------------------------------


@dataclass
class _Context:
    """What every invented activity needs to know, fixed for one run."""

    today: date
    type_ids: dict[str, int]
    categories: dict[str, str]
    window: tuple[date, date]
    cutoff: datetime
    holidays: list[tuple[date, date]]
    next_holiday: HolidayPeriod | None
    slot_cache: dict[tuple[object, ...], list[tuple[datetime, datetime]]] = field(
        default_factory=dict
    )


def _context(today: date) -> _Context:
    window = default_window(today)
    types = _activity_types()
    return _Context(
        today=today,
        type_ids={slug: pk for slug, (pk, _) in types.items()},
        categories={slug: category for slug, (_, category) in types.items()},
        window=window,
        cutoff=london_datetime(window[0], time(0, 0)),
        holidays=holiday_ranges(),
        next_holiday=HolidayPeriod.objects.filter(end_date__gte=today)
        .order_by("start_date", "pk")
        .first(),
    )


def _phone(rng: random.Random) -> str:
    # Ofcom reserves 020 7946 0000-0999 for drama: never a real line.
    return f"020 7946 0{rng.randrange(1000):03d}"


def _charity_number(rng: random.Random) -> str:
    return f"19{rng.randrange(100000):05d}"


def _company_number(rng: random.Random) -> str:
    return f"18{rng.randrange(1000000):06d}"


def _past(rng: random.Random, ctx: _Context, *, days: int) -> datetime:
    """A time in office hours within the last `days` days."""
    day = ctx.today - timedelta(days=rng.randint(1, days))
    return london_datetime(day, time(rng.randint(9, 17), rng.randrange(60)))


def _organisation(
    rng: random.Random,
    ctx: _Context,
    *,
    archetype: Archetype,
    place: str,
    used_slugs: set[str],
    borough_slug: str,
) -> Organisation:
    name = archetype.name.format(place=place)
    base = slugify(name)[:180]
    slug, n = base, 1
    for candidate in (base, f"{base}-{borough_slug}"):
        if candidate not in used_slugs:
            slug = candidate
            break
    else:
        while f"{base}-{n}" in used_slugs:
            n += 1
        slug = f"{base}-{n}"
    used_slugs.add(slug)
    kind = rng.choice(archetype.kinds)
    charity = company = ""
    if kind in (K.CHARITY, K.CIO) or (kind == K.FAITH and rng.random() < 0.6):
        charity = _charity_number(rng)
    if kind in (K.COMPANY, K.CIC) or (kind == K.CHARITY and rng.random() < 0.4):
        company = _company_number(rng)
    roll = rng.random()
    verified_at = None
    if roll < 0.6:
        verification = Organisation.Verification.VERIFIED
        verified_at = _past(rng, ctx, days=400)
    elif roll < 0.9:
        verification = Organisation.Verification.UNVERIFIED
    else:
        verification = Organisation.Verification.PENDING
    return Organisation(
        name=name,
        slug=slug,
        kind=kind,
        charity_number=charity,
        company_number=company,
        website=f"https://example.org/{slug}",
        public_email=f"{slug[:60]}@example.org",
        public_phone=_phone(rng) if rng.random() < 0.7 else "",
        verification=verification,
        verified_at=verified_at,
        is_demo=True,
    )


def _venue_accessibility(rng: random.Random, kind: str) -> list[str]:
    features = []
    if kind in (LEISURE, LIBRARY, COMMUNITY, ENTERPRISE, SCHOOL) or rng.random() < 0.5:
        features += [
            AccessibilityFeature.STEP_FREE,
            AccessibilityFeature.ACCESSIBLE_TOILET,
        ]
    if kind in (LIBRARY, COMMUNITY, ARTS) and rng.random() < 0.5:
        features.append(AccessibilityFeature.HEARING_LOOP)
    if kind == LEISURE and rng.random() < 0.3:
        features.append(AccessibilityFeature.CHANGING_PLACES)
    return [str(f) for f in features]


def _venue(
    rng: random.Random,
    place: _Place,
    *,
    kind: str,
    name: str,
    used_postcodes: set[str],
) -> Venue:
    options = [p for p in place.postcodes if p[0] not in used_postcodes]
    postcode, lat, lng = rng.choice(options or place.postcodes)
    used_postcodes.add(postcode)
    street = rng.choice(STREETS)
    return Venue(
        name=name,
        address=f"{rng.randint(1, 240)} {street}, {place.centre.name}, London",
        postcode=postcode,
        lat=lat,
        lng=lng,
        borough_id=place.centre.gss_code,
        accessibility=_venue_accessibility(rng, kind),
        is_demo=True,
    )


def _ages(
    rng: random.Random, spec: Spec, *, title: str
) -> tuple[int | None, int | None]:
    if rng.random() < 0.05:
        return None, None  # "age not stated", as real listings often are
    if "Junior" in title:
        return rng.choice(((8, 12), (8, 13), (9, 13)))
    if "Teen" in title:
        return rng.choice(((11, 16), (13, 17), (13, 19)))
    return rng.choice(spec.ages)


def _accessibility(rng: random.Random) -> list[str]:
    if rng.random() < 0.3:
        return []
    features, weights = zip(*ACCESSIBILITY_WEIGHTS, strict=True)
    chosen = set(rng.choices(features, weights=weights, k=rng.randint(1, 3)))
    return [str(f) for f in sorted(chosen, key=FEATURE_ORDER.__getitem__)]


def _price(
    rng: random.Random, spec: Spec, *, holiday: bool
) -> tuple[bool, Decimal | None, str]:
    free_share = max(spec.free_share, 0.45) if holiday else spec.free_share
    if rng.random() < free_share:
        return True, None, ""
    low, high = spec.price
    price = None
    if rng.random() > 0.03:  # a few say "paid" without a price
        price = Decimal(rng.randint(low * 2, high * 2)) / 2
        price = max(Decimal("1.00"), min(Decimal("8.00"), price)).quantize(
            Decimal("0.01")
        )
    concessions = rng.choice(CONCESSIONS) if rng.random() < 0.4 else ""
    return False, price, concessions


def _weekly_times(
    rng: random.Random, age_min: int | None, *, weekend: bool
) -> tuple[time, time]:
    if weekend:
        start = rng.choice((time(10), time(10, 30), time(11), time(13), time(14)))
        minutes = rng.choice((60, 90, 120, 180))
    else:
        young = age_min is not None and age_min <= 10
        starts = (16, 16.5, 17) if young else (17, 17.5, 18, 18.5, 19)
        hour = rng.choice(starts)
        start = time(int(hour), 30 if hour % 1 else 0)
        minutes = rng.choice((60, 90, 120))
        latest = 21 * 60 - (start.hour * 60 + start.minute)
        minutes = min(minutes, latest)
    end_minutes = start.hour * 60 + start.minute + minutes
    return start, time(end_minutes // 60, end_minutes % 60)


def _weekly_schedule(
    rng: random.Random,
    ctx: _Context,
    *,
    age_min: int | None,
    days: int,
    term_share: float,
) -> Schedule:
    weekend = rng.random() < 0.25
    if weekend:
        weekdays = "SA" if rng.random() < 0.7 else "SU"
    else:
        picked = sorted(rng.sample(range(5), days))
        weekdays = ",".join(WEEKDAYS[i] for i in picked)
    start, end = _weekly_times(rng, age_min, weekend=weekend)
    roll = rng.random()
    if roll < 0.85:  # ongoing, started some time ago
        start_date = ctx.today - timedelta(days=7 * rng.randint(0, 40))
        end_date = None
    elif roll < 0.93:  # starting soon
        start_date = ctx.today + timedelta(days=7 * rng.randint(1, 4))
        end_date = None
    else:  # a course that ends
        start_date = ctx.today - timedelta(days=7 * rng.randint(0, 6))
        end_date = ctx.today + timedelta(days=7 * rng.randint(3, 10))
    exceptions: list[str] = []
    if rng.random() < 0.05:  # a week off (venue booked, staff training)
        skipped = ctx.today + timedelta(days=rng.randint(7, 70))
        exceptions = [skipped.isoformat()]
    return Schedule(
        kind=Schedule.Kind.WEEKLY,
        weekdays=weekdays,
        start_time=start,
        end_time=end,
        start_date=start_date,
        end_date=end_date,
        season=(
            Schedule.Season.TERM_TIME
            if rng.random() < term_share
            else Schedule.Season.ALL_YEAR
        ),
        exceptions=exceptions,
    )


def _holiday_schedule(rng: random.Random, ctx: _Context) -> tuple[Schedule, str]:
    start, end = rng.choice(
        ((time(10), time(15)),) * 4 + ((time(10), time(16)), (time(11), time(15)))
    )
    holiday = ctx.next_holiday
    if holiday is not None and rng.random() < 0.5:
        name = holiday.name.lower()
        # "Easter holiday 2026" -> "Easter"; "May half term 2026" -> "Half-Term"
        label = "Half-Term" if "half term" in name else name.split(" ")[0].title()
        return (
            Schedule(
                kind=Schedule.Kind.WEEKLY,
                weekdays="MO,TU,WE,TH,FR",
                start_time=start,
                end_time=end,
                start_date=holiday.start_date,
                end_date=holiday.end_date,
                season=Schedule.Season.ALL_YEAR,
            ),
            label,
        )
    return (
        Schedule(
            kind=Schedule.Kind.WEEKLY,
            weekdays="MO,TU,WE,TH,FR",
            start_time=start,
            end_time=end,
            start_date=ctx.today - timedelta(days=7 * rng.randint(0, 20)),
            season=Schedule.Season.HOLIDAYS,
        ),
        "Holiday",
    )


def _one_off_schedule(rng: random.Random, ctx: _Context) -> Schedule:
    day = ctx.today + timedelta(days=rng.randint(2, 82))
    if rng.random() < 0.1:  # a weekend-long event
        return Schedule(
            kind=Schedule.Kind.ONE_OFF,
            start_time=time(10),
            end_time=time(16),
            start_date=day,
            end_date=day + timedelta(days=1),
        )
    start, end = rng.choice(
        (
            (time(11), time(15)),
            (time(12), time(16)),
            (time(10), time(13)),
            (time(18), time(21)),
            (time(17, 30), time(20)),
        )
    )
    return Schedule(
        kind=Schedule.Kind.ONE_OFF, start_time=start, end_time=end, start_date=day
    )


PROPER_WORDS = {"African", "Bollywood", "Duke", "Edinburgh", "DJing"}


def _in_text(subject: str) -> str:
    """A subject for mid-sentence use: "Street Dance" -> "street dance"."""
    return " ".join(w if w in PROPER_WORDS else w.lower() for w in subject.split())


def _describe(
    rng: random.Random,
    spec: Spec,
    *,
    ages: tuple[int | None, int | None],
    pattern: str,
    is_free: bool,
) -> str:
    parts = [spec.about]
    if pattern == "holiday":
        parts.append(
            f"A week of {_in_text(spec.subject)} in the school holidays, with "
            "lunch provided every day."
        )
        if is_free:
            parts.append(
                "Free for young people on benefits-related free school meals "
                "(Holiday Activities and Food programme)."
            )
    elif pattern == "one_off":
        parts.append(
            f"A one-off event and a good way to try {_in_text(spec.subject)} "
            "before joining a regular session."
        )
    age_min, age_max = ages
    if age_min is not None and age_max is not None:
        parts.append(f"For young people aged {age_min} to {age_max}.")
    parts.append(rng.choice(OPENERS))
    parts.append(f"Sessions are led by experienced {spec.leader}, all DBS checked.")
    extra = rng.choice(EXTRAS)
    if extra:
        parts.append(extra)
    return " ".join(parts)


def _activity(
    rng: random.Random,
    ctx: _Context,
    *,
    spec: Spec,
    organisation: Organisation,
    venue: Venue,
    place: str,
    pattern: str,
) -> tuple[Activity, list[Schedule], list[int]]:
    """An unsaved activity, its unsaved schedules and its activity type ids."""
    title = rng.choice(spec.titles).format(place=place)  # for a weekly club
    ages = _ages(rng, spec, title=title)
    gender = Activity.Gender.ANY
    if spec.slug == "girls-group" or (spec.girls and rng.random() < 0.08):
        gender = Activity.Gender.FEMALE
    schedules: list[Schedule]
    if pattern == "weekly":
        term_share = 0.6 if organisation.kind == K.SCHOOL else 0.15
        days = 2 if rng.random() < 0.3 else 1
        schedules = [
            _weekly_schedule(
                rng, ctx, age_min=ages[0], days=days, term_share=term_share
            )
        ]
        if rng.random() < 0.1 and "SA" not in schedules[0].weekdays:
            extra = _weekly_schedule(
                rng, ctx, age_min=ages[0], days=1, term_share=term_share
            )
            if extra.weekdays != schedules[0].weekdays:
                schedules.append(extra)
    elif pattern == "holiday":
        schedule, holiday = _holiday_schedule(rng, ctx)
        schedules = [schedule]
        title = rng.choice(HOLIDAY_TITLES).format(
            holiday=holiday, subject=spec.subject, place=place
        )
    else:
        schedules = [_one_off_schedule(rng, ctx)]
        events = EVENT_TITLES[Category(ctx.categories[spec.slug])]
        title = rng.choice(events).format(subject=spec.subject, place=place)
    if gender == Activity.Gender.FEMALE and not ("Girl" in title or "Women" in title):
        if title.startswith(place):
            title = f"{title} (Girls)"
        elif title.startswith("Free "):
            title = f"Free Girls' {title.removeprefix('Free ')}"
        else:
            title = f"Girls' {title}"
    is_free, price, concessions = _price(rng, spec, holiday=pattern == "holiday")
    if title.startswith("Free "):  # the title promises it
        is_free, price, concessions = True, None, ""
    slug = slugify(title)[:80]
    booking = rng.random()
    activity = Activity(
        title=title,
        description=_describe(rng, spec, ages=ages, pattern=pattern, is_free=is_free),
        organisation_id=organisation.pk,
        venue_id=venue.pk,
        age_min=ages[0],
        age_max=ages[1],
        gender=gender,
        is_free=is_free,
        price=price,
        concessions=concessions,
        accessibility=_accessibility(rng),
        booking_url=(
            f"https://example.org/{organisation.slug}/{slug}" if booking < 0.6 else ""
        ),
        booking_phone=_phone(rng) if booking > 0.7 else "",
        booking_email=(
            f"bookings.{organisation.slug[:50]}@example.org"
            if 0.5 < booking < 0.8
            else ""
        ),
        booking_notes=rng.choice(BOOKING_NOTES),
        what_to_bring=spec.bring,
        status=Activity.Status.PUBLISHED,
        source=Activity.Source.DEMO,
        is_demo=True,
        last_confirmed_at=_past(rng, ctx, days=120),
    )
    type_slugs = [spec.slug, *spec.also]
    if spec.maybe and rng.random() < 0.3:
        type_slugs.append(spec.maybe)
    return activity, schedules, sorted({ctx.type_ids[s] for s in type_slugs})


# --- Writing ----------------------------------------------------------------------


def _slots(ctx: _Context, schedule: Schedule) -> list[tuple[datetime, datetime]]:
    """The sessions `materialise_schedule` would write, cached per pattern."""
    key = (
        schedule.kind,
        schedule.weekdays,
        schedule.start_time,
        schedule.end_time,
        schedule.start_date,
        schedule.end_date,
        schedule.season,
        tuple(schedule.exceptions),
    )
    slots = ctx.slot_cache.get(key)
    if slots is None:
        window_start, window_end = ctx.window
        slots = [
            (slot.start, slot.end)
            for slot in schedule_slots(
                schedule,
                window_start=window_start,
                window_end=window_end,
                holidays=ctx.holidays,
            )
            if slot.start >= ctx.cutoff
        ]
        ctx.slot_cache[key] = slots
    return slots


@dataclass
class _Batch:
    """Unsaved activities with their schedules and types, written together."""

    items: list[tuple[Activity, list[Schedule], list[int]]] = field(
        default_factory=list
    )
    occurrences: int = 0

    def add(
        self, ctx: _Context, item: tuple[Activity, list[Schedule], list[int]]
    ) -> None:
        self.items.append(item)
        self.occurrences += sum(len(_slots(ctx, s)) for s in item[1])


def _write(ctx: _Context, batch: _Batch) -> tuple[int, int]:
    """Insert a batch of activities. Returns (schedules, occurrences) written."""
    activities = Activity.all_objects.bulk_create([a for a, _, _ in batch.items])
    through = Activity.types.through
    through.objects.bulk_create(
        [
            through(activity_id=activity.pk, activitytype_id=type_id)
            for activity, (_, _, type_ids) in zip(activities, batch.items, strict=True)
            for type_id in type_ids
        ]
    )
    schedules: list[Schedule] = []
    for activity, (_, activity_schedules, _) in zip(
        activities, batch.items, strict=True
    ):
        for schedule in activity_schedules:
            schedule.activity_id = activity.pk
            schedules.append(schedule)
    Schedule.objects.bulk_create(schedules)
    written = 0
    rows: list[Occurrence] = []
    for schedule in schedules:
        for start, end in _slots(ctx, schedule):
            rows.append(
                Occurrence(
                    activity_id=schedule.activity_id,
                    schedule_id=schedule.pk,
                    start=start,
                    end=end,
                )
            )
        if len(rows) >= INSERT_BATCH:
            Occurrence.objects.bulk_create(rows)
            written += len(rows)
            rows = []
    Occurrence.objects.bulk_create(rows)
    return len(schedules), written + len(rows)


def _weighted_specs(specs: Iterable[Spec]) -> list[Spec]:
    return [spec for spec in specs for _ in range(spec.weight)]


def _generate_borough(
    ctx: _Context,
    *,
    seed: int,
    borough: Borough,
    places: list[_Place],
    used_slugs: set[str],
) -> tuple[int, int, _Batch, int, int]:
    """Write one borough's demo. Returns (orgs, venues, batch, schedules, occs)."""
    rng = random.Random(f"ourlondon-demo:{seed}:{borough.gss_code}")
    names = [p.centre.name for p in places]

    # Organisations: one of each archetype, spread over the town centres.
    offset = rng.randrange(len(places))
    organisations = []
    org_archetypes = []
    for index, archetype in enumerate(ARCHETYPES):
        organisations.append(
            _organisation(
                rng,
                ctx,
                archetype=archetype,
                place=names[(offset + index) % len(names)],
                used_slugs=used_slugs,
                borough_slug=borough.slug,
            )
        )
        org_archetypes.append(archetype)
    Organisation.objects.bulk_create(organisations)

    # Venues: a community centre and a youth centre in every town centre, one of
    # each other kind somewhere, and each school's own site.
    used_postcodes: set[str] = set()
    venues: list[tuple[Venue, str, str]] = []  # venue, kind, place name
    plan: list[tuple[_Place, str]] = []
    for town in places:
        plan += [(town, COMMUNITY), (town, YOUTH)]
    start = rng.randrange(len(places))
    for index, kind in enumerate(SHARED_VENUE_KINDS):
        plan.append((places[(start + index) % len(places)], kind))
    for town, kind in plan:
        name = rng.choice(VENUE_NAMES[kind]).format(
            place=town.centre.name, saint=rng.choice(SAINTS)
        )
        venue = _venue(rng, town, kind=kind, name=name, used_postcodes=used_postcodes)
        venues.append((venue, kind, town.centre.name))
    for organisation in organisations:
        if organisation.kind == K.SCHOOL:
            town = next(
                (p for p in places if organisation.name.startswith(p.centre.name)),
                places[0],
            )
            venue = _venue(
                rng,
                town,
                kind=SCHOOL,
                name=organisation.name,
                used_postcodes=used_postcodes,
            )
            venue.organisation_id = organisation.pk
            venues.append((venue, SCHOOL, town.centre.name))
    Venue.objects.bulk_create([v for v, _, _ in venues])

    # Activities.
    weighted = _weighted_specs(SPECS)
    count = rng.randint(*ACTIVITIES_PER_BOROUGH)
    batch = _Batch()
    for _ in range(count):
        spec = rng.choice(weighted)
        runners = [
            org
            for org, archetype in zip(organisations, org_archetypes, strict=True)
            if spec.slug in archetype.runs
        ]
        organisation = rng.choice(runners)
        if organisation.kind == K.SCHOOL and rng.random() < 0.7:
            suitable = [v for v in venues if v[0].organisation_id == organisation.pk]
        else:
            suitable = [v for v in venues if v[1] in spec.venues and v[1] != SCHOOL]
        venue, _, place = rng.choice(
            suitable or [v for v in venues if v[1] == COMMUNITY]
        )
        roll = rng.random()
        pattern = "weekly" if roll < 0.7 else "holiday" if roll < 0.85 else "one_off"
        batch.add(
            ctx,
            _activity(
                rng,
                ctx,
                spec=spec,
                organisation=organisation,
                venue=venue,
                place=place,
                pattern=pattern,
            ),
        )
    schedules, occurrences = _write(ctx, batch)
    return len(organisations), len(venues), batch, schedules, occurrences


def demo_exists() -> bool:
    """Whether any demo organisation, venue or activity is in the database."""
    return (
        Activity.all_objects.filter(is_demo=True).exists()
        or Venue.objects.filter(is_demo=True).exists()
        or Organisation.objects.filter(is_demo=True).exists()
    )


def generate_demo(
    *,
    seed: int = DEFAULT_SEED,
    today: date | None = None,
    progress: Progress | None = None,
) -> DemoReport:
    """Create the base demo and materialise its sessions, in one transaction.

    Same seed, same `today` and same reference data give identical records.
    `progress` is called with the number of London areas done (of 33). Raises
    `DemoError` when demo data already exists or reference data is missing.
    """
    today = today or clock.today()
    if demo_exists():
        raise DemoError("Demo data already exists; delete it first (--replace).")
    boroughs = {b.gss_code: b for b in Borough.objects.all()}
    if not boroughs:
        raise DemoError("No London areas loaded. Run `manage.py load_geography`.")
    centres: dict[str, list[TownCentre]] = defaultdict(list)
    for centre in read_town_centres():
        centres[centre.gss_code].append(centre)
    ctx = _context(today)
    totals = dict.fromkeys(("orgs", "venues", "activities", "schedules", "occs"), 0)
    type_ids: set[int] = set()
    covered = 0
    with transaction.atomic(savepoint=False):
        used_slugs = set(Organisation.objects.values_list("slug", flat=True))
        for done, gss_code in enumerate(sorted(boroughs), start=1):
            places = _places(centres.get(gss_code, []), gss_code)
            if places:
                orgs, venues, batch, schedules, occs = _generate_borough(
                    ctx,
                    seed=seed,
                    borough=boroughs[gss_code],
                    places=places,
                    used_slugs=used_slugs,
                )
                covered += 1
                totals["orgs"] += orgs
                totals["venues"] += venues
                totals["activities"] += len(batch.items)
                totals["schedules"] += schedules
                totals["occs"] += occs
                for _, _, ids in batch.items:
                    type_ids.update(ids)
            if progress:
                progress(done)
        if not covered:
            raise DemoError(
                "No postcodes loaded near the demo town centres. "
                "Run `manage.py load_geography`."
            )
    return DemoReport(
        organisations=totals["orgs"],
        venues=totals["venues"],
        activities=totals["activities"],
        schedules=totals["schedules"],
        occurrences=totals["occs"],
        boroughs=covered,
        activity_types=len(type_ids),
    )


def scale_occurrences(
    *,
    target: int,
    seed: int = DEFAULT_SEED,
    today: date | None = None,
    progress: Progress | None = None,
) -> int:
    """Add weekly demo clubs until the occurrence table holds at least `target` rows.

    Builds on the base demo (its organisations and venues run the new clubs). Works
    in batches of about 50,000 occurrences, each in its own transaction, so memory
    stays flat and an interruption keeps whole batches only. `progress` is called
    with the occurrence count after each batch. Returns how many occurrences were
    added (0 when the target is already met).
    """
    if not 1 <= target <= MAX_SCALE:
        raise DemoError(f"The scale target must be between 1 and {MAX_SCALE:,}.")
    today = today or clock.today()
    total = Occurrence.objects.count()
    start_total = total
    if progress:
        progress(total)
    if total >= target:
        return 0
    # Who runs what where in the base demo: new clubs repeat those pairings.
    runs: dict[int, tuple[int, int, list[str]]] = {}
    for activity_id, org_id, venue_id, slug in (
        Activity.all_objects.filter(is_demo=True, venue__isnull=False)
        .values_list("pk", "organisation_id", "venue_id", "types__slug")
        .order_by("pk")
    ):
        runs.setdefault(activity_id, (org_id, venue_id, []))[2].append(slug)
    pairs = []
    for org_id, venue_id, slugs in runs.values():
        specs = sorted(s for s in slugs if s in SPECS_BY_SLUG)
        if specs:
            pairs.append((org_id, venue_id, specs[0]))
    if not pairs:
        raise DemoError("Load the base demo before scaling it.")
    organisations = {
        o.pk: o
        for o in Organisation.objects.filter(pk__in={p[0] for p in pairs}).order_by(
            "pk"
        )
    }
    venues = {v.pk: v for v in Venue.objects.filter(pk__in={p[1] for p in pairs})}
    centres = {(c.gss_code, c.outcode): c.name for c in read_town_centres()}
    ctx = _context(today)
    while total < target:
        # Seeded by position, so each batch differs and a rerun repeats it.
        rng = random.Random(f"ourlondon-demo:{seed}:scale:{total}")
        wanted = min(SCALE_BATCH_OCCURRENCES, target - total)
        batch = _Batch()
        while batch.occurrences < wanted:
            org_id, venue_id, slug = rng.choice(pairs)
            venue = venues[venue_id]
            place = centres.get(
                (venue.borough_id, venue.postcode.split(" ")[0]), "London"
            )
            batch.add(
                ctx,
                _activity(
                    rng,
                    ctx,
                    spec=SPECS_BY_SLUG[slug],
                    organisation=organisations[org_id],
                    venue=venue,
                    place=place,
                    pattern="weekly",
                ),
            )
        with transaction.atomic():
            _, written = _write(ctx, batch)
        total += written
        if progress:
            progress(total)
    return total - start_total


def summarise_demo() -> DemoReport:
    """Count the demo data in the database."""
    activities = Activity.all_objects.filter(is_demo=True)
    return DemoReport(
        organisations=Organisation.objects.filter(is_demo=True).count(),
        venues=Venue.objects.filter(is_demo=True).count(),
        activities=activities.count(),
        schedules=Schedule.objects.filter(activity__is_demo=True).count(),
        occurrences=Occurrence.objects.filter(activity__is_demo=True).count(),
        boroughs=activities.values("venue__borough").distinct().count(),
        activity_types=ActivityType.objects.filter(activities__is_demo=True)
        .distinct()
        .count(),
    )


# savepoint=False: inside a caller's transaction (load_demo --replace) a savepoint
# would make SQLite keep every deleted page in memory until the end.
@transaction.atomic(savepoint=False)
def delete_demo() -> int:
    """Remove all demo data. Returns how many activities were deleted.

    Works through the activities in slices of `DELETE_SLICE` so memory stays flat
    after a million-session benchmark. Demo venues and organisations that non-demo
    activities use (someone listed a real activity at a demo venue) are kept.
    """
    ids = list(
        Activity.all_objects.filter(is_demo=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    through = Activity.types.through
    for offset in range(0, len(ids), DELETE_SLICE):
        chunk = ids[offset : offset + DELETE_SLICE]
        related = Q(activity__is_demo=True) & Q(
            activity_id__gte=chunk[0], activity_id__lte=chunk[-1]
        )
        Occurrence.objects.filter(related).delete()
        Schedule.objects.filter(related).delete()
        through.objects.filter(related).delete()
        Activity.all_objects.filter(
            is_demo=True, pk__gte=chunk[0], pk__lte=chunk[-1]
        ).delete()
    Venue.objects.filter(is_demo=True).exclude(activities__is_demo=False).delete()
    Organisation.objects.filter(is_demo=True).exclude(
        activities__is_demo=False
    ).delete()
    return len(ids)
