// A changed build that breaks shape-selecting query parameters: `?_embed=comments` returns
// empty comment lists and `?_expand=post` no longer adds the post. Loaded with --middlewares.
const change = (item) => {
  if (item && typeof item === 'object') {
    if (Array.isArray(item.comments)) item.comments = [];
    delete item.post;
  }
  return item;
};

module.exports = (req, res, next) => {
  const jsonp = res.jsonp.bind(res);
  res.jsonp = (data) => jsonp(Array.isArray(data) ? data.map(change) : change(data));
  next();
};
