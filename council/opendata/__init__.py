"""opendata room: the public record as a Frictionless data package, and the public audit chains as a file."""
