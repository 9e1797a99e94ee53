"""The performance bench: a synthetic clinic served by gunicorn, timed, counted and Lighthouse-scored (see bench/run.py)."""
