"""Recognition: thank-you points within a daily cap, and the leaderboard."""
