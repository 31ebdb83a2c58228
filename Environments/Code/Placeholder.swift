enum CodeEnvironmentPlaceholder {}
