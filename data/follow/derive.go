package follow

import (
	"context"
	"fmt"
	"time"

	"jingge/geo"
)

// reload brings the index in force up to date: from the whole dataset
// when touched is nil, else by deriving it from the index in force with
// the grids touched as they are now (derive), or from the whole dataset
// when that cannot be done or fails.
func (f *Follower) reload(ctx context.Context, touched []string) (*geo.Index, error) {
	if touched != nil {
		ix, err := f.derive(ctx, touched)
		if ix != nil {
			return ix, nil
		}
		if err != nil {
			f.logger.Warn("reading the changed grids failed; reading the whole dataset", "err", err)
		}
	}
	return f.publish(ctx)
}

// derive reads the grids ids as they are now, derives the index in force
// with them (geo.Index.WithGrids) and publishes it. It returns a nil index
// and no error when the change cannot be derived: no index is in force
// yet, a grid is no longer in force, or WithGrids declines (a changed
// station, level or police grid); the caller then reads the whole dataset.
func (f *Follower) derive(ctx context.Context, ids []string) (*geo.Index, error) {
	start := time.Now()
	cur := f.live.Load()
	if cur == nil {
		return nil, nil
	}
	src := f.src.(GridSource)
	grids, err := src.GridsNow(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("reading grids %q: %w", ids, err)
	}
	if len(grids) != len(ids) {
		f.logger.Debug("a changed grid is no longer in force; reading the whole dataset", "grids", ids)
		return nil, nil
	}
	ix, ok := cur.WithGrids(grids)
	if !ok {
		f.logger.Debug("the change cannot be derived from the index in force; reading the whole dataset", "grids", ids)
		return nil, nil
	}
	f.live.Store(ix)
	f.logger.Info("grids reloaded", "dataset", ix.Meta().Name, "grids", ids, "duration", time.Since(start))
	return ix, nil
}
