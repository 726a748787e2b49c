"""Orders by their buyer's username, as step 10 compares it with the creator's conversations.

The purge (step 10) tells a conversation with a buyer from any other by its counterpart's username. Without
an index each look-up read the whole `orders` table (about 0.4 s per scan on a 100,000-order vault, and the
step page asked three times); with it, each direct conversation costs one index seek. The expression must stay
the one `records.exit_steps` compares: the username without spaces or a leading "@", ASCII lower case.
"""

SQL = """
CREATE INDEX orders_buyer_key ON orders(lower(ltrim(trim(buyer_username), '@'))) WHERE buyer_username != '';
"""
