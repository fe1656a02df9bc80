"""Recognition: thank-you points within a daily cap, the leaderboard, kudos, badges and streaks."""
