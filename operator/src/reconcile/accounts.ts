// ServiceAccounts of the operands, before the workloads that name them.
import { type Phase, proceed } from "../controller/reconcile.js";
import { buildServiceAccount, serviceAccountGroups } from "../specs/accounts.js";

export const accountsPhase: Phase = {
  name: "accounts",
  async run(ctx) {
    await ctx.ensureAll(serviceAccountGroups(ctx.cc).map((g) => buildServiceAccount(ctx.cc, g)));
    return proceed;
  },
};
