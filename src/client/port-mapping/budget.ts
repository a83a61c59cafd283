/** Time and lifetime limits of the port-mapping tests. */
export interface MappingBudget {
  /** Wait for a protocol's first answer in ms; a silent gateway costs this much (issue 16: ≤ 250 ms). */
  readonly firstMs: number;
  /** Wait for each later answer of a gateway that has answered, in ms. */
  readonly stepMs: number;
  /** Limit of each UPnP HTTP request (description, SOAP action) of a gateway that answered SSDP, in ms. */
  readonly httpMs: number;
  /** Lifetime of the test mapping in seconds (it is removed at once; this bounds a lost removal). */
  readonly lifetimeS: number;
}

/**
 * The probe's limits: 250 ms to a first answer (the cost of a silent router), then 1 s per later UDP step and
 * per HTTP request of a router that has answered (adding a mapping means netlink work in the router, slow on
 * a busy one), 60-s test mappings.
 */
export const DEFAULT_MAPPING_BUDGET: MappingBudget = {
  firstMs: 250,
  stepMs: 1000,
  httpMs: 1000,
  lifetimeS: 60,
};
