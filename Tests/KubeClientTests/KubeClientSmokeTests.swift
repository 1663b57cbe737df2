import Testing
@testable import KubeClient

@Test func KubeClientModuleLinks() {
    #expect(Bool(true))
}
