namespace Parma.Oci.Resolution;

/// <summary>
/// How far the resolution of one image is: which of its layers is being downloaded and hashed, and how
/// many of that layer's (compressed) bytes were read. A layer found in the layer cache is reported once,
/// complete. Hosts show it (the CLI on a terminal); the resolver itself prints nothing.
/// </summary>
public sealed record ImageProgress(string Image, int Layer, int LayerCount, long Bytes, long TotalBytes, bool Cached = false);
