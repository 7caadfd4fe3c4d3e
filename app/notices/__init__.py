"""E-mail notices to the people who must act: written in the transition's transaction
(an outbox), delivered by the scheduler process over SMTP."""
