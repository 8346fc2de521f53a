namespace Parma.Agent.Transport;

/// <summary>
/// One connection from the host: a byte stream whose reads block until data arrives (0 when the host
/// went away), and a way for another thread to end it.
/// </summary>
public interface IAgentConnection : IDisposable
{
    Stream Stream { get; }

    /// <summary>Ends the connection from another thread, so that a read blocked on <see cref="Stream"/> returns.</summary>
    void Abort();
}
