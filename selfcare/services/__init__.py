"""Services: rows <-> clinical types. No request objects; `now` and the user are arguments."""
