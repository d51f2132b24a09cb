<?php
/*
 * A thin PHP wrapper over the chapterhouse C API through PHP's FFI extension
 * (php-cli 8.x; FFI is enabled for CLI scripts by default). It loads the
 * committed header include/chapterhouse.h, so it always matches the library.
 *
 *   $ch = Chapterhouse::open('/path/to/libchapterhouse.so', '/path/to/chapterhouse.h');
 *
 * Every call checks its status and throws ChapterhouseError (with the stable
 * code, e.g. "not_found") on failure, and frees what the library returned.
 */

final class ChapterhouseError extends RuntimeException
{
    public function __construct(public readonly string $codeName, string $message)
    {
        parent::__construct("[$codeName] $message");
    }
}

final class Chapterhouse
{
    private function __construct(public readonly FFI $ffi)
    {
    }

    /** Loads the shared library with the declarations of the header. */
    public static function open(string $library, string $header): self
    {
        return new self(FFI::cdef(self::declarations(file_get_contents($header)), $library));
    }

    /**
     * FFI::cdef takes plain C declarations, without preprocessor lines: drop
     * the `#include`/`#ifndef` lines and the C++-only `extern "C"` blocks.
     */
    public static function declarations(string $header): string
    {
        $out = [];
        $skip = false;
        foreach (explode("\n", $header) as $line) {
            $t = trim($line);
            if (str_starts_with($t, '#ifdef __cplusplus')) { $skip = true; continue; }
            if ($skip) { if (str_starts_with($t, '#endif')) { $skip = false; } continue; }
            if (str_starts_with($t, '#')) { continue; }
            $out[] = $line;
        }
        return implode("\n", $out);
    }

    public function version(): string
    {
        return $this->ffi->ch_version(); // `const char *` results arrive as PHP strings
    }

    /** Throws unless $status is CH_STATUS_OK; frees the error. */
    public function check(int $status, $err): void
    {
        if ($status === $this->ffi->CH_STATUS_OK) {
            return;
        }
        $code = $this->ffi->ch_error_code($err);
        $message = $this->ffi->ch_error_message($err);
        $this->ffi->ch_error_free($err);
        throw new ChapterhouseError($code, $message);
    }

    /** Takes an owned string returned by the library, and frees it. */
    public function take($ptr): string
    {
        $s = FFI::string($ptr);
        $this->ffi->ch_string_free($ptr);
        return $s;
    }

    public function network(string $snapshotJson): ChapterNetwork
    {
        $net = $this->ffi->new('ch_network*');
        $err = $this->ffi->new('ch_error*');
        $this->check($this->ffi->ch_network_from_json($snapshotJson, strlen($snapshotJson),
            FFI::addr($net), FFI::addr($err)), $err);
        return new ChapterNetwork($this, $net);
    }

    /** Health report (decoded JSON) from an activity CSV and group facts. */
    public function healthFromCsv(string $csv, ?string $factsJson, string $now, bool $calibrate = true): array
    {
        $out = $this->ffi->new('char*');
        $err = $this->ffi->new('ch_error*');
        $this->check($this->ffi->ch_health_score_csv($csv, strlen($csv), $factsJson,
            $factsJson === null ? 0 : strlen($factsJson), null, 0, $calibrate, $now, strlen($now),
            FFI::addr($out), null, FFI::addr($err)), $err);
        return json_decode($this->take($out), true, 512, JSON_THROW_ON_ERROR);
    }
}

final class ChapterNetwork
{
    private $ids;

    public function __construct(private Chapterhouse $ch, private $net)
    {
        $this->ids = $ch->ffi->ch_id_array_new();
    }

    public function __destruct()
    {
        $this->ch->ffi->ch_id_array_free($this->ids);
        $this->ch->ffi->ch_network_free($this->net);
    }

    /** @return list<string> */
    private function idList(): array
    {
        $out = [];
        $n = $this->ch->ffi->ch_id_array_len($this->ids);
        for ($i = 0; $i < $n; $i++) {
            $out[] = $this->ch->ffi->ch_id_array_get($this->ids, $i);
        }
        return $out;
    }

    public function len(): int
    {
        $n = $this->ch->ffi->new('size_t');
        $err = $this->ch->ffi->new('ch_error*');
        $this->ch->check($this->ch->ffi->ch_network_len($this->net, FFI::addr($n), FFI::addr($err)), $err);
        return $n->cdata;
    }

    /** The chapters covering a point, most specific first. @return list<string> */
    public function lookup(float $lon, float $lat): array
    {
        $err = $this->ch->ffi->new('ch_error*');
        $this->ch->check($this->ch->ffi->ch_network_lookup($this->net, $lon, $lat, null,
            $this->ids, FFI::addr($err)), $err);
        return $this->idList();
    }

    /** The k nearest chapters. @return list<array{0: string, 1: float}> id and metres */
    public function nearest(float $lon, float $lat, int $k): array
    {
        $err = $this->ch->ffi->new('ch_error*');
        $this->ch->check($this->ch->ffi->ch_network_nearest($this->net, $lon, $lat, $k, null,
            $this->ids, FFI::addr($err)), $err);
        $out = [];
        foreach ($this->idList() as $i => $id) {
            $out[] = [$id, $this->ch->ffi->ch_id_array_distance_m($this->ids, $i)];
        }
        return $out;
    }

    /** @return array{0: bool, 1: string} allowed, and the explanation */
    public function check(string $person, string $capability, string $node, string $now): array
    {
        $ffi = $this->ch->ffi;
        $decision = $ffi->new('ch_decision');
        $why = $ffi->new('char*');
        $err = $ffi->new('ch_error*');
        $this->ch->check($ffi->ch_network_check($this->net, $person, strlen($person),
            $capability, strlen($capability), $node, strlen($node), $now, strlen($now),
            FFI::addr($decision), FFI::addr($why), FFI::addr($err)), $err);
        return [$decision->cdata === $ffi->CH_DECISION_ALLOW, $this->ch->take($why)];
    }

    /** The node's record (decoded JSON). */
    public function node(string $id): array
    {
        $out = $this->ch->ffi->new('char*');
        $err = $this->ch->ffi->new('ch_error*');
        $this->ch->check($this->ch->ffi->ch_network_node_json($this->net, $id, strlen($id),
            FFI::addr($out), null, FFI::addr($err)), $err);
        return json_decode($this->ch->take($out), true, 512, JSON_THROW_ON_ERROR);
    }
}
