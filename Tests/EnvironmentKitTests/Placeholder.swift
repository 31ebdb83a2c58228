import Testing

@Test func EnvironmentKitTestsPlaceholder() { #expect(1 + 1 == 2) }
