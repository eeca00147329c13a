"""programmes domain room: a city's programmes (years, stages), their phases and their pillars."""
