namespace Otp.Net.Distribution;

/// <summary>The frames nodes exchange. Each is a MessagePack array whose first element is its kind.</summary>
internal enum FrameKind
{
    Send = 1,
    SendNamed = 2,
    Link = 3,
    Unlink = 4,
    LinkExit = 5,
    Exit = 6,
    Monitor = 7,
    MonitorNamed = 8,
    Demonitor = 9,
    Down = 10,
    Request = 11,
    Reply = 12,
    RequestFailed = 13,
    Cast = 14,
    Service = 15,
    Reconnect = 16,
    Spawn = 17,
    Spawned = 18,
}
