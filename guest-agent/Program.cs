// The GuestAgent host is built under issue #9; until then it refuses to run rather than pretend.
Console.Error.WriteLine("Parma.GuestAgent: not built yet (issue #9).");
return 2;
