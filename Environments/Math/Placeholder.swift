enum MathEnvironmentPlaceholder {}
