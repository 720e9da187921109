"""dailypapers package."""
