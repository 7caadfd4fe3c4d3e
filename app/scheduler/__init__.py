"""The scheduler process: periodic jobs that act on rows in the database (deadlines, outbox).

It runs as its own process (`flask --app wsgi scheduler run`), never inside web workers. Every
job keeps its state in the database and acts idempotently, so a crash or a restart loses
nothing and repeats nothing, and several scheduler processes may run side by side on
PostgreSQL (row locks with SKIP LOCKED).
"""
