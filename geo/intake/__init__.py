"""From a news article to candidate incidents for an analyst to review.

The pipeline reads an article and its date line (:mod:`~geo.intake.article`),
splits it into sentences (:mod:`~geo.intake.sentences`), and in each sentence
finds the time (:mod:`~geo.intake.dates`), the places
(:mod:`~geo.intake.places`), the actors (:mod:`~geo.intake.actors`), the
ACLED event type (:mod:`~geo.intake.events`) and the casualties
(:mod:`~geo.intake.casualties`). :mod:`~geo.intake.candidates` assembles them
into candidate incidents with a calibrated ``confidence``;
:mod:`~geo.intake.duplicates` marks those already in the data and
:mod:`~geo.intake.decisions` records what the analyst decides.
"""
