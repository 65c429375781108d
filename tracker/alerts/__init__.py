"""Alerts and digests: tell each person what changed on the bills they care about.

- ``subscriptions``: what each person follows (topics, positions, watchlists, bills, jurisdictions), cadence,
  role defaults, feed and unsubscribe tokens;
- ``events``: triggers from BillChange, BillMatch (newly flagged), PositionHistory and hearings, with the
  topic language a new text version adds or removes;
- ``delivery``: fan-out to people, digests, SMTP sends with retries and backoff, the delivery log;
- ``render`` / ``mailer``: the digest email (plain text + HTML) and smtplib;
- ``feeds`` / ``server``: Atom/RSS per saved filter and an ICS of hearings behind per-user tokens;
- ``jobs``: the APScheduler job; ``cli``: ``tracker alerts``.
"""
