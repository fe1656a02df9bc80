"""Questions: asking, the card, claiming and running a short session, hand-over."""
