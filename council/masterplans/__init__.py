"""masterplans domain room: the city's master plan, its versions, comments and acceleration programmes."""
