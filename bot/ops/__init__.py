"""Running the bot unattended: configuration, the run lock and the scheduler."""
