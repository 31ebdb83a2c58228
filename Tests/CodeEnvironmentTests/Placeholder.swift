import Testing

@Test func CodeEnvironmentTestsPlaceholder() { #expect(1 + 1 == 2) }
