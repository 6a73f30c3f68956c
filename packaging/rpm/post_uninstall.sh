# UMBRA (rpm %postun): data in /var/lib/umbra is kept on erase; rpm has no purge.
if [ -d /run/systemd/system ]; then
    systemctl daemon-reload >/dev/null 2>&1 || :
fi
