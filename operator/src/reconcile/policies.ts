// PodDisruptionBudgets for the roles, NetworkPolicies for the data stores, HPAs for autoscaled roles.
import { ROLES } from "../api/index.js";
import { type Phase, proceed } from "../controller/reconcile.js";
import { buildHPA, buildNetworkPolicies, buildRolePDB } from "../specs/policies.js";

export const policiesPhase: Phase = {
  name: "policies",
  async run(ctx) {
    await ctx.ensureAll(ROLES.map((r) => buildRolePDB(ctx.cc, r)));
    await ctx.ensureAll(buildNetworkPolicies(ctx.cc));
    await ctx.ensureAll(ROLES.map((r) => buildHPA(ctx.cc, r)));
    return proceed;
  },
};
