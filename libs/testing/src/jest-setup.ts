// Integration and e2e tests talk to real services over the network; give them room.
jest.setTimeout(120_000);
