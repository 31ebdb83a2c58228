enum ToyEnvironmentPlaceholder {}
