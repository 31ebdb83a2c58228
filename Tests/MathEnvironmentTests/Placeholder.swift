import Testing

@Test func MathEnvironmentTestsPlaceholder() { #expect(1 + 1 == 2) }
