using Parma.Rego;

namespace Parma.Policy.Enforcement;

/// <summary>
/// A sandbox's records of the storages the guest set up, by mount point, and the document the policy
/// reads them from: <c>data.guest = {"storages": {mount_point: record}}</c> (<see cref="GuestStorageRecord"/>).
/// A request is decided against the records kept so far plus, for the mount points it names that have
/// none yet, what the agent's code will set up there (the first storage named at a mount point wins,
/// as the agent sets up each mount point once and shares it). Thread-safe.
/// </summary>
public sealed class GuestStorageLedger
{
    /// <summary>Where the policy reads the document.</summary>
    public const string DataPath = "data.guest";

    private readonly Lock _lock = new();
    private readonly Dictionary<string, GuestStorageRecord> _records = new(StringComparer.Ordinal);
    private Value? _document;

    public IReadOnlyList<GuestStorageRecord> Records
    {
        get
        {
            lock (_lock)
            {
                return [.. _records.Values];
            }
        }
    }

    public bool TryGet(string mountPoint, out GuestStorageRecord? record)
    {
        lock (_lock)
        {
            var found = _records.TryGetValue(mountPoint, out var kept);
            record = kept;
            return found;
        }
    }

    /// <summary>Keeps a record (replacing an earlier one at the same mount point).</summary>
    public void Keep(GuestStorageRecord record)
    {
        lock (_lock)
        {
            _records[record.MountPoint] = record;
            _document = null;
        }
    }

    /// <summary>Keeps each record whose mount point has none yet.</summary>
    public void KeepNew(IEnumerable<GuestStorageRecord> records)
    {
        lock (_lock)
        {
            foreach (var record in records)
            {
                if (_records.TryAdd(record.MountPoint, record))
                {
                    _document = null;
                }
            }
        }
    }

    public void Remove(string mountPoint)
    {
        lock (_lock)
        {
            _records.Remove(mountPoint);
            _document = null;
        }
    }

    public void Clear()
    {
        lock (_lock)
        {
            _records.Clear();
            _document = null;
        }
    }

    /// <summary>The document the policy reads for a request: the records kept, plus <paramref name="planned"/> at mount points that have none.</summary>
    public Value Document(IReadOnlyList<GuestStorageRecord> planned)
    {
        lock (_lock)
        {
            if (planned.Count == 0 || planned.All(p => _records.ContainsKey(p.MountPoint)))
            {
                return _document ??= Render(_records.Values);
            }

            var merged = new Dictionary<string, GuestStorageRecord>(_records, StringComparer.Ordinal);
            foreach (var record in planned)
            {
                merged.TryAdd(record.MountPoint, record);
            }

            return Render(merged.Values);
        }
    }

    /// <summary>What the agent will set up for the storages of a CreateSandbox or CreateContainer request (its policy input), first per mount point; empty for other requests.</summary>
    public static IReadOnlyList<GuestStorageRecord> PlannedFor(string kind, Value input)
    {
        if (kind is not ("CreateSandboxRequest" or "CreateContainerRequest") || input["storages"] is not ArrayValue storages)
        {
            return [];
        }

        var planned = new List<GuestStorageRecord>(storages.Count);
        foreach (var storage in storages.Elements)
        {
            var options = storage["driver_options"] is ArrayValue list ? list.Elements.OfType<StringValue>().Select(s => s.Text).ToList() : [];
            var record = GuestStorageRecord.Planned(Text(storage, "driver"), Text(storage, "source"), Text(storage, "mount_point"), Text(storage, "fstype"), options);
            if (record.Setup != StorageSetup.ContainerRoot && planned.TrueForAll(p => p.MountPoint != record.MountPoint))
            {
                planned.Add(record);
            }
        }

        return planned;
    }

    private static string Text(Value storage, string field) => storage[field] is StringValue s ? s.Text : string.Empty;

    private static Value Render(IEnumerable<GuestStorageRecord> records) => Value.Object(
    [
        KeyValuePair.Create("storages", Value.Object(records.Select(r => KeyValuePair.Create(r.MountPoint, r.ToValue())))),
    ]);
}
