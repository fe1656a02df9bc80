"""Topic mechanisms of the seventh topic tuning set (``tests/data/matching_eval_tuning7.jsonl``):
a topic said in everyday words by someone who does not know the skill's name. Each skill gets a
family of plain phrasings as aliases in ``skills.toml`` (inflected forms follow from the
taxonomy's stemming), so "our cloud bill doubled" is cloud cost optimization and "someone copied
our logo" intellectual property without either naming the skill."""

from __future__ import annotations

import pytest

from bot.matching import Taxonomy, build_taxonomy, extract_topics


@pytest.fixture(scope="module")
def tax() -> Taxonomy:
    return build_taxonomy()


@pytest.mark.parametrize(
    ("question", "skill"),
    [
        # software, data and infrastructure said plainly
        ("the program crashes every time i open a big file", "debugging"),
        ("how do i tidy up the code a contractor left behind", "clean code"),
        ("what do you look for when looking over changes from a new hire", "code review"),
        ("we need one phone app for iphone and android", "mobile development"),
        ("how do we cope with millions of users on launch day", "system design"),
        ("our site needs data from a third party service every hour", "api integration"),
        ("we test by hand and it takes the whole team a day", "test automation"),
        ("my daughter wants to make a game over the summer", "game development"),
        ("how do i get comfortable typing commands instead of clicking", "command line"),
        ("can we store the answer instead of recomputing it every request", "caching"),
        ("we're breaking the app into smaller services", "microservices"),
        ("i need text patterns to pull phone numbers out of notes", "regular expressions"),
        ("is the difference in sign ups real or just chance", "statistics"),
        ("can we predict which orders will be returned", "machine learning"),
        ("i combine data from different systems by hand every week", "data engineering"),
        ("where are customer addresses kept and who can see them", "data privacy"),
        ("how do i grab data from a few competitor sites each night", "web scraping"),
        ("can software tell if a support email is happy or angry", "natural language processing"),
        ("finance and sales count differently and the numbers never match", "data governance"),
        ("a hacker got into our shared mailbox", "security"),
        ("our hosting bill doubled over the summer", "cloud cost optimization"),
        ("how do i package my app so it runs the same on every laptop", "docker"),
        ("we still deploy by hand on friday nights", "ci/cd"),
        ("the office router drops everyone at noon", "networking"),
        ("can i run code without a server sitting idle all day", "serverless"),
        # the rest of work said plainly
        ("i'd love to work for myself next year", "freelancing"),
        ("i have been raising my kids for five years and want a job again", "returning to work"),
        ("what should my weekly chats with my reports cover", "one-on-ones"),
        ("the warehouse team are resisting the change to scanners", "change management"),
        ("no one is applying to our nurse openings", "recruiting"),
        ("i have to write up how each of my people did this year", "performance reviews"),
        ("can my employer make me take holiday in december", "employment law"),
        ("people seem checked out since the office move", "employee engagement"),
        ("paying staff on time is hard with shift workers", "payroll"),
        ("how do i bring up something awkward with a coworker", "difficult conversations"),
        ("my colleagues in india read my emails as rude", "cross-cultural communication"),
        ("my spoken english is fine but my writing is slow", "english language"),
        ("we want to team up with a local bakery for a promotion", "partnerships"),
        ("nobody opens the emails we send to shoppers", "email marketing"),
        ("how long will this take if two people are off sick", "estimation"),
        ("can i send a slack message when a form is filled in without code", "no-code automation"),
        ("our logo looks dated next to rivals", "branding"),
        ("how do i mock up an idea for the team before anyone builds it", "prototyping"),
        ("my boss wants me to fudge the numbers on the grant report", "ethics"),
        ("a rival shop copied our packaging exactly", "intellectual property"),
        ("we have to follow new rules about storing card data", "compliance"),
        ("we're moving the family to canada next spring", "relocation"),
        ("one of the cleaners got hurt on a wet floor", "health and safety"),
        ("there's a bad news story about our ceo going round", "crisis management"),
        (
            "the head chef wants to step back and nobody can take over from him",
            "succession planning",
        ),
        ("we sell online and returns are eating our profit", "ecommerce"),
        ("the candidate ghosted us after saying yes", "hiring"),
        # how people say what they want from customers, users and colleagues
        ("how do we show up higher on google for 'plumber near me'", "seo"),
        ("i need words that sell for our product pages", "copywriting"),
        (
            "we want to watch people use the self checkout and see where they get stuck",
            "user research",
        ),
        ("is a fiver too cheap for a coffee subscription", "pricing strategy"),
        ("how do we learn what people would pay for our cleaning service", "market research"),
        ("where do i find companies to sell to in a new city", "prospecting"),
        ("nobody showed them the ropes in their first week", "onboarding"),
        ("we have no written rules about expenses for travel", "hr policy"),
        ("our search bar shows nothing for plural words", "search engineering"),
        ("we emailed two versions of the flyer to see which got more replies", "a/b testing"),
        ("i became the boss of my old friends at the restaurant", "people management"),
        ("i have three managers reporting to me now", "managing managers"),
        ("how do i win people over to a new rota", "influencing"),
        ("people fill the basket but nobody buys", "conversion rate optimization"),
        ("we spent months on a feature nobody used", "product discovery"),
        ("which features people use most in our booking app", "product analytics"),
    ],
)
def test_everyday_words_name_the_topic(tax: Taxonomy, question: str, skill: str) -> None:
    assert skill in extract_topics(question, tax)


@pytest.mark.parametrize(
    ("question", "skill"),
    [
        # a phrase that names another topic, or only looks like one
        ("when does it make sense to split a monolith into services", "microservices"),
        ("my resume gets no callbacks, can someone look at it", "job search"),
        ("how do we choose an hris for a 200 person company", "prioritization"),
        ("how do i speak up more in meetings", "team culture"),
        ("our node app crashes on large uploads", "debugging"),
    ],
)
def test_everyday_words_stay_specific(tax: Taxonomy, question: str, skill: str) -> None:
    assert skill not in extract_topics(question, tax)
