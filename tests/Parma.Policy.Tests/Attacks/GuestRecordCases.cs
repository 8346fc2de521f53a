using Parma.Policy.Enforcement;
using Parma.Rego;

namespace Parma.Policy.Tests.Attacks;

/// <summary>
/// A legitimate CreateSandbox or CreateContainer of a target's trace, decided against a record of the
/// guest (<c>data.guest</c>) that says one of its writable storages is not protected: the host names the
/// storage exactly as the policy expects, but the guest did not (or could not) encrypt it, protect its
/// integrity, make its file system or keep it in memory. The attack corpus cannot reach these: its
/// requests are decided against what the agent's code would set up for them, which for a storage the
/// policy allows is always protected. A policy that allows unencrypted storage (emptyDirMode block-plain)
/// must accept the same requests (<see cref="ExpectedReason"/> null).
/// </summary>
/// <param name="Position">The index of the legitimate request in the target's trace (its state is the one before it).</param>
public sealed record GuestRecordCase(string Name, string Kind, Value Input, Value Guest, int Position, string? ExpectedReason)
{
    public string Description => $"guest record: {Name} (expects {ExpectedReason ?? "allowed"})";

    /// <summary>The cases of <paramref name="target"/>: for every storage the guest plans to protect, each way its record can say otherwise.</summary>
    public static IReadOnlyList<GuestRecordCase> For(AttackTarget target)
    {
        var cases = new List<GuestRecordCase>();
        var trace = target.Trace;
        var unprotectedAllowed = target.Policy.PolicyData["common"]?["allow_unencrypted_storage"]?.GetValue<bool>() == true;
        for (var position = 0; position < trace.Count; position++)
        {
            var c = trace[position];
            if (!c.Allowed || c.Kind is not ("CreateSandboxRequest" or "CreateContainerRequest"))
            {
                continue;
            }

            var input = Value.FromJson(c.Request.ToJsonString());
            var planned = GuestStorageLedger.PlannedFor(c.Kind, input);
            var check = unprotectedAllowed ? null : c.Kind == "CreateSandboxRequest" ? "sandbox.storage_protection: storages[" : "create.storage_protection: storages[";
            foreach (var record in planned)
            {
                foreach (var (what, tampered) in Unprotected(record))
                {
                    var ledger = new GuestStorageLedger();
                    ledger.KeepNew(planned.Select(p => p.MountPoint == record.MountPoint ? tampered : p));
                    cases.Add(new GuestRecordCase($"{c.Description}: {record.MountPoint} {what}", c.Kind, input, ledger.Document([]), position, check));
                }
            }
        }

        return cases;
    }

    /// <summary>Records of the same storage that fall short of protecting it, one condition at a time.</summary>
    private static IEnumerable<(string What, GuestStorageRecord Record)> Unprotected(GuestStorageRecord record)
    {
        if (record.Encrypted)
        {
            yield return ("formatted by the guest but not encrypted", record with { Setup = StorageSetup.PlainBlockNewFilesystem, Encrypted = false, Integrity = false });
            yield return ("encrypted without integrity", record with { Integrity = false });
            yield return ("with integrity but not encrypted", record with { Encrypted = false });
            yield return ("encrypted with the host's file system", record with { GuestFilesystem = false });
        }

        if (record.InGuestMemory)
        {
            yield return ("on a host disk with the host's file system", record with { Setup = StorageSetup.PlainBlockHostFilesystem, InGuestMemory = false });
        }
    }
}
