"""Portfolio overview and project page: cached portfolio reads and the health table."""
