"""Operations: bootstrapping a site and the scheduled jobs.

The one app allowed to know every other app, so that each of them can stay
ignorant of the ones above it (catalogue does not import search; this does).
"""
